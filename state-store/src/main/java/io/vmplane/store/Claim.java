package io.vmplane.store;

import java.util.List;
import java.util.Map;

/**
 * What a VM holds on a host: the ledger's unit. Claims are made atomically per host and are idempotent per VM.
 *
 * @param pciAddresses  host PCI devices the VM holds, each by at most one VM
 * @param poolBytes     bytes the VM's new volumes take in each pool
 */
public record Claim(String vmId, String hostId, int vcpus, long memoryMib, List<String> pciAddresses,
                    Map<String, Long> poolBytes) {

    public Claim {
        pciAddresses = pciAddresses == null ? List.of() : List.copyOf(pciAddresses);
        poolBytes = poolBytes == null ? Map.of() : Map.copyOf(poolBytes);
    }
}
