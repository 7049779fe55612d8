package io.vmplane.worker.placement;

import java.util.LinkedHashMap;
import java.util.Map;

import io.vmplane.schemas.host.HostInventory;

/**
 * What placement may claim on a host: its physical vCPUs and memory times the configured overcommit, and each
 * pool's available bytes times the storage overcommit (new volumes are thin), all rounded down.
 */
public record HostLimits(int vcpuLimit, long memoryLimitMib) {

    public static HostLimits of(HostInventory inventory, double cpuOvercommit, double memoryOvercommit) {
        int vcpus = (int) Math.floor(inventory.vcpus() * cpuOvercommit);
        long memory = (long) Math.floor(inventory.memoryMib() * memoryOvercommit);
        return new HostLimits(vcpus, memory);
    }

    /** Per pool name, the bytes claims may add up to. */
    public static Map<String, Long> poolLimits(HostInventory inventory, double storageOvercommit) {
        var limits = new LinkedHashMap<String, Long>();
        for (HostInventory.Pool pool : inventory.storagePools()) {
            limits.put(pool.name(), (long) Math.floor(pool.availableBytes() * storageOvercommit));
        }
        return limits;
    }
}
