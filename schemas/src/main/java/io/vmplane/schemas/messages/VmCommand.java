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
@JsonSubTypes({@JsonSubTypes.Type(value = VmCommand.CreateVm.class, name = "create_vm"),
        @JsonSubTypes.Type(value = VmCommand.StartVm.class, name = "start_vm"),
        @JsonSubTypes.Type(value = VmCommand.StopVm.class, name = "stop_vm"),
        @JsonSubTypes.Type(value = VmCommand.RebootVm.class, name = "reboot_vm"),
        @JsonSubTypes.Type(value = VmCommand.DeleteVm.class, name = "delete_vm")})
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

    /** Start a stopped VM on the host it is placed on. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StartVm(String commandId, String vmId, long generation, String operationId, String project, String user,
                   Instant deadline, Instant createdAt) implements VmCommand {
    }

    /**
     * Stop a VM: an ACPI shutdown, then, if it still runs after {@code gracefulTimeoutSeconds}, a forced power-off.
     * {@code force} skips the graceful part.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StopVm(String commandId, String vmId, long generation, String operationId, String project, String user,
                  int gracefulTimeoutSeconds, boolean force, Instant deadline, Instant createdAt) implements VmCommand {
    }

    /** Reboot a running VM. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RebootVm(String commandId, String vmId, long generation, String operationId, String project, String user,
                    Instant deadline, Instant createdAt) implements VmCommand {
    }

    /** Delete a VM: its domain and, with {@code deleteVolumes}, the volumes it created; its claims are released. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DeleteVm(String commandId, String vmId, long generation, String operationId, String project, String user,
                    boolean deleteVolumes, Instant deadline, Instant createdAt) implements VmCommand {
    }
}
