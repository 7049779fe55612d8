package io.vmplane.agent.hypervisor;

import java.util.List;

import io.vmplane.schemas.host.HostInventory;

/**
 * What the hypervisor says about its host, read in one pass.
 *
 * @param vcpus      physical CPUs (threads)
 * @param memoryMib  physical memory
 * @param pools      every storage pool, active or not
 * @param pciDevices every PCI device, {@code inUse} when a defined domain passes it through
 */
public record HostFacts(int vcpus, long memoryMib, List<HostInventory.Pool> pools,
                        List<HostInventory.PciDevice> pciDevices) {

    public HostFacts {
        pools = List.copyOf(pools);
        pciDevices = List.copyOf(pciDevices);
    }
}
