package io.vmplane.schemas.messages;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vmplane.schemas.vm.VmSpec;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A command accepted by the gateway, on {@link Topics#VM_COMMANDS}. Every command carries the VM's
 * {@code generation}: each accepted command on a VM gets the next one, and every {@link VmEvent} it causes carries
 * it too, so the state store can order events from different producers.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = VmCommand.CreateVm.class, name = "create_vm")})
public sealed interface VmCommand {

    String commandId();

    String vmId();

    long generation();

    /** After this instant the command is not carried out; the VM fails with {@code TIMEOUT}. */
    Instant deadline();

    /**
     * Create and start a VM.
     *
     * @param operationId the operation the client polls
     * @param project     the owning project
     * @param user        the requesting user
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CreateVm(String commandId, String vmId, long generation, String operationId, String project, String user,
                    VmSpec spec, Instant deadline, Instant createdAt) implements VmCommand {
    }
}
