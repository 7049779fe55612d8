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
@JsonSubTypes({@JsonSubTypes.Type(value = HostCommand.ProvisionVm.class, name = "provision_vm")})
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
}
