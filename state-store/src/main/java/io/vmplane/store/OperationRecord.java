package io.vmplane.store;

import java.time.Instant;
import java.util.List;

/**
 * An asynchronous operation on a VM, as clients poll it.
 *
 * @param kind          {@code create}, later {@code start}, {@code stop}, {@code reboot}, {@code delete}
 * @param state         {@code pending}, {@code running}, {@code succeeded}, {@code failed}, {@code cancelled}
 * @param errorCode     a {@link io.vmplane.schemas.vm.FailureCode} name when failed
 * @param steps         what happened so far, oldest first: {@code accepted}, {@code placed}, {@code executing},
 *                      {@code finished}, each with the VM's status then
 */
public record OperationRecord(String id, String vmId, String project, String kind, String state, String errorCode,
                              String errorMessage, Instant createdAt, Instant updatedAt, List<Step> steps) {

    public OperationRecord {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** An operation without steps recorded (yet). */
    public OperationRecord(String id, String vmId, String project, String kind, String state, String errorCode,
                           String errorMessage, Instant createdAt, Instant updatedAt) {
        this(id, vmId, project, kind, state, errorCode, errorMessage, createdAt, updatedAt, List.of());
    }

    /**
     * One step of an operation.
     *
     * @param name  {@code accepted}, {@code placed}, {@code executing} or {@code finished}
     * @param state the VM's status the step left it in ({@code pending}, {@code provisioning}, {@code running}, …)
     * @param host  the host the step concerns, when known
     * @param at    when it happened
     */
    public record Step(String name, String state, String host, Instant at) {

        /** The first step of every operation. */
        public static Step accepted(String status, Instant at) {
            return new Step("accepted", status, null, at);
        }
    }
}
