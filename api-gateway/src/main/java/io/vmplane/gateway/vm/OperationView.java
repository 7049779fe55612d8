package io.vmplane.gateway.vm;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmplane.store.OperationRecord;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** An operation as {@code GET /operations/{id}} shows it; {@code error} only when it failed. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OperationView(String id, String vmId, String kind, String state, List<Step> steps,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Error error,
                            Instant createdAt, Instant updatedAt) {

    /** A step of the operation: {@code accepted}, {@code placed}, {@code executing}, {@code finished}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String state, String host, Instant at) {

        static Step of(OperationRecord.Step step) {
            return new Step(step.name(), step.state() == null ? "unknown" : step.state(), step.host(), step.at());
        }
    }

    public record Error(String code, String message) {
    }

    public static OperationView of(OperationRecord op) {
        Error error = "failed".equals(op.state())
                ? new Error(op.errorCode() == null ? "UNKNOWN" : op.errorCode(),
                        op.errorMessage() != null ? op.errorMessage()
                                : "The operation failed" + (op.errorCode() == null ? "" : ": " + op.errorCode()))
                : null;
        return new OperationView(op.id(), op.vmId(), op.kind(), op.state(),
                op.steps().stream().map(Step::of).toList(), error, op.createdAt(), op.updatedAt());
    }
}
