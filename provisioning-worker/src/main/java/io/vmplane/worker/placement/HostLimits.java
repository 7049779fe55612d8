package io.vmplane.worker.placement;

import io.vmplane.schemas.host.HostInventory;

/**
 * What placement may claim on a host: its physical vCPUs and memory times the configured overcommit, rounded down.
 */
public record HostLimits(int vcpuLimit, long memoryLimitMib) {

    public static HostLimits of(HostInventory inventory, double cpuOvercommit, double memoryOvercommit) {
        int vcpus = (int) Math.floor(inventory.vcpus() * cpuOvercommit);
        long memory = (long) Math.floor(inventory.memoryMib() * memoryOvercommit);
        return new HostLimits(vcpus, memory);
    }
}
