package io.vmplane.schemas.messages;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vmplane.schemas.vm.VmSpec;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A command for one host's agent, on {@link Topics#HOST_COMMANDS}, keyed by {@link #hostId()}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = HostCommand.ProvisionVm.class, name = "provision_vm"),
        @JsonSubTypes.Type(value = HostCommand.StartDomain.class, name = "start_domain"),
        @JsonSubTypes.Type(value = HostCommand.StopDomain.class, name = "stop_domain"),
        @JsonSubTypes.Type(value = HostCommand.RebootDomain.class, name = "reboot_domain"),
        @JsonSubTypes.Type(value = HostCommand.DeleteDomain.class, name = "delete_domain")})
public sealed interface HostCommand {

    String commandId();

    String hostId();

    String vmId();

    long generation();

    Instant deadline();

    /**
     * Create the VM's volumes, define its domain and start it. Idempotent: the domain's name and uuid come from the
     * VM id and the volumes' names derive from it, so a redelivered command finds its own work and continues.
     *
     * @param pciAddresses host PCI addresses claimed for the VM, one per {@code spec.pciDevices()} entry
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ProvisionVm(String commandId, String hostId, String vmId, long generation, VmSpec spec,
                       List<String> pciAddresses, Instant deadline) implements HostCommand {

        public ProvisionVm {
            pciAddresses = pciAddresses == null ? List.of() : List.copyOf(pciAddresses);
        }
    }

    /** Start the VM's defined domain; running already counts as done. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StartDomain(String commandId, String hostId, String vmId, long generation, Instant deadline)
            implements HostCommand {
    }

    /** Shut the domain down (ACPI), forced off after {@code gracefulTimeoutSeconds} or at once with {@code force}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StopDomain(String commandId, String hostId, String vmId, long generation, int gracefulTimeoutSeconds,
                      boolean force, Instant deadline) implements HostCommand {
    }

    /** Reboot the running domain. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RebootDomain(String commandId, String hostId, String vmId, long generation, Instant deadline)
            implements HostCommand {
    }

    /**
     * Destroy and undefine the domain; with {@code deleteVolumes} also the volumes created for it (named
     * {@code <vm id>-disk<N>}; attached volumes are never deleted). A domain that does not exist counts as deleted.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DeleteDomain(String commandId, String hostId, String vmId, long generation, boolean deleteVolumes,
                        Instant deadline) implements HostCommand {
    }
}
