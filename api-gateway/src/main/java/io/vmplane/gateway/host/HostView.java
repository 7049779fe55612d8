package io.vmplane.gateway.host;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.host.HostInventory;
import io.vmplane.store.HostRecord;
import io.vmplane.store.Usage;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A host as {@code GET /virtualization/hosts} shows it. Free capacity is what placement may still claim: the
 * limit (total × overcommit) less the ledger's claims, never what the OS reports free.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostView(String id, String hypervisor, String status, String consoleAddress, Vcpus vcpus,
                       Memory memory, List<Pool> storagePools, List<PciDevice> pciDevices) {

    private static final long GIB = 1L << 30;

    public record Vcpus(int total, int free) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Memory(long totalMib, long freeMib) {
    }

    /** Sizes in whole GiB, rounded down; free is what the pool has available less the bytes claimed in it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pool(String name, boolean active, long capacityGib, long freeGib) {
    }

    /** {@code in_use}: a domain on the host has the device, or the ledger holds it for a VM. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PciDevice(String address, String vendorId, String productId, int iommuGroup, boolean inUse) {
    }

    public static HostView of(HostRecord host, Usage usage, Instant now, Duration heartbeatTimeout) {
        HostInventory inventory = host.inventory();
        List<Pool> pools = inventory.storagePools().stream()
                .map(p -> new Pool(p.name(), p.active(), p.capacityBytes() / GIB,
                        Math.max(0, p.availableBytes() - usage.poolBytes().getOrDefault(p.name(), 0L)) / GIB))
                .toList();
        List<PciDevice> devices = inventory.pciDevices().stream()
                .map(d -> new PciDevice(d.address(), d.vendorId(), d.productId(), d.iommuGroup(),
                        d.inUse() || usage.pciAddresses().contains(d.address())))
                .toList();
        return new HostView(host.id(), inventory.hypervisor(), host.status(now, heartbeatTimeout).wire(),
                inventory.consoleAddress(), new Vcpus(inventory.vcpus(), host.vcpuLimit() - usage.vcpus()),
                new Memory(inventory.memoryMib(), host.memoryLimitMib() - usage.memoryMib()), pools, devices);
    }
}
