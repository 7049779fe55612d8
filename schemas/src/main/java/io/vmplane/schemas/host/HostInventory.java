package io.vmplane.schemas.host;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a host offers, as its agent reads it from libvirt; published on {@code host.inventory.v1} at start and on
 * change. Capacity here is physical: overcommit and claims are the placement's business.
 *
 * @param hypervisor      {@code qemu} or {@code test}
 * @param consoleAddress  where console proxies reach this host's VNC/SPICE ports
 * @param pinnedOnly      the host takes only VMs pinned to it with {@code placement.host}
 * @param memoryMib       physical memory in MiB
 * @param bootId          a random UUID the agent chooses once per libvirt connection: a new one means the host's
 *                        libvirt state may not have survived (a test-driver host loses its domains), or null
 * @param domains         the names of the domains defined on the host (active or not) that look like VM ids, or
 *                        null when the agent does not report them
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostInventory(String hostId, String hypervisor, String consoleAddress, boolean pinnedOnly, int vcpus,
                            long memoryMib, List<Pool> storagePools, List<PciDevice> pciDevices, Instant at,
                            String bootId, List<String> domains) {

    public HostInventory {
        storagePools = storagePools == null ? List.of() : List.copyOf(storagePools);
        pciDevices = pciDevices == null ? List.of() : List.copyOf(pciDevices);
        domains = domains == null ? null : List.copyOf(domains);
    }

    /** An inventory without {@code bootId} and {@code domains}. */
    public HostInventory(String hostId, String hypervisor, String consoleAddress, boolean pinnedOnly, int vcpus,
                         long memoryMib, List<Pool> storagePools, List<PciDevice> pciDevices, Instant at) {
        this(hostId, hypervisor, consoleAddress, pinnedOnly, vcpus, memoryMib, storagePools, pciDevices, at, null,
                null);
    }

    /** A storage pool; sizes in bytes. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pool(String name, boolean active, long capacityBytes, long availableBytes, List<String> volumes) {

        public Pool {
            volumes = volumes == null ? List.of() : List.copyOf(volumes);
        }
    }

    /**
     * A PCI device. {@code address} is {@code dddd:bb:ss.f}; vendor and product are four lower-case hex digits;
     * {@code inUse} means a domain on the host has it (the ledger's claims are separate).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PciDevice(String address, String vendorId, String productId, int iommuGroup, boolean inUse) {
    }
}
