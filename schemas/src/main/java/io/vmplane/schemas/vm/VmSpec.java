package io.vmplane.schemas.vm;

import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A validated, normalised VM request ({@code VMCreateRequestEnhancedV2} after defaults are applied): every disk
 * names its pool, format and bus, and graphics is never null. The gateway builds it; workers and agents trust it.
 *
 * @param name        display name, {@code ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$}
 * @param memory      MiB
 * @param vcpus       virtual CPUs
 * @param storage     pools, boot ISO and disks
 * @param pciDevices  devices to pass through (may be empty)
 * @param graphics    console graphics
 * @param placement   admin-only pinning, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VmSpec(String name, int memory, int vcpus, StorageSpec storage, List<PciDeviceSpec> pciDevices,
                     GraphicsSpec graphics, PlacementSpec placement) {

    public VmSpec {
        pciDevices = pciDevices == null ? List.of() : List.copyOf(pciDevices);
        graphics = graphics == null ? GraphicsSpec.DEFAULT : graphics;
    }

    /** Bytes each pool must hold for the disks this VM creates (attached volumes need no room). */
    public java.util.Map<String, Long> bytesPerPool() {
        var perPool = new java.util.TreeMap<String, Long>();
        for (DiskSpec disk : storage.disks()) {
            if (disk.action() == DiskSpec.Action.CREATE) {
                perPool.merge(disk.pool(), disk.size() * (1L << 30), Long::sum);
            }
        }
        return perPool;
    }

    /** Every pool the VM touches: its disks' pools, and the default pool when it boots from an ISO. */
    public java.util.Set<String> pools() {
        var pools = new java.util.TreeSet<String>();
        storage.disks().forEach(d -> pools.add(d.pool()));
        if (storage.bootIso() != null) {
            pools.add(storage.defaultPool());
        }
        return pools;
    }
}
