package io.vmplane.agent.hypervisor;

import java.util.Collection;
import java.util.List;

import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.VmIds;

/**
 * What the hypervisor says about its host, read in one pass.
 *
 * @param vcpus      physical CPUs (threads)
 * @param memoryMib  physical memory
 * @param pools      every storage pool, active or not
 * @param pciDevices every PCI device, {@code inUse} when a defined domain passes it through
 * @param domains    the defined domains (active or not) named like VM ids, sorted
 */
public record HostFacts(int vcpus, long memoryMib, List<HostInventory.Pool> pools,
                        List<HostInventory.PciDevice> pciDevices, List<String> domains) {

    public HostFacts {
        pools = List.copyOf(pools);
        pciDevices = List.copyOf(pciDevices);
        domains = List.copyOf(domains);
    }

    /** Of the given domain names, those that look like VM ids ({@link VmIds#VM_ID}), sorted, without repeats. */
    public static List<String> vmDomains(Collection<String> domainNames) {
        return domainNames.stream()
                .filter(name -> name != null && VmIds.VM_ID.matcher(name).matches())
                .distinct()
                .sorted()
                .toList();
    }
}
