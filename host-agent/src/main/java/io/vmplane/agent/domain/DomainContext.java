package io.vmplane.agent.domain;

import java.util.List;
import java.util.Objects;

/**
 * What a domain definition needs beyond the VM spec, decided by the agent before rendering.
 *
 * @param stackId         tag written into the domain's metadata, so a stack finds (and cleans up) its own domains
 * @param type            the libvirt domain type
 * @param emulator        the emulator binary, or null to let libvirt pick its default (always null for the test driver)
 * @param diskSources     the volume behind each of {@code spec.storage().disks()}, in the same order
 * @param bootIso         the boot ISO volume, or null when the spec has none
 * @param pciAddresses    host PCI addresses ({@code dddd:bb:ss.f}) passed through to the guest
 * @param graphicsListen  the address VNC/SPICE listens on when the spec does not name one
 */
public record DomainContext(String stackId, DomainType type, String emulator, List<VolumeRef> diskSources,
                            VolumeRef bootIso, List<String> pciAddresses, String graphicsListen) {

    public DomainContext {
        Objects.requireNonNull(stackId, "stackId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(graphicsListen, "graphicsListen");
        diskSources = diskSources == null ? List.of() : List.copyOf(diskSources);
        pciAddresses = pciAddresses == null ? List.of() : List.copyOf(pciAddresses);
    }
}
