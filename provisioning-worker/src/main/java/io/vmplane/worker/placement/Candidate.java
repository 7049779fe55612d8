package io.vmplane.worker.placement;

import java.util.List;

/**
 * A host that passes every filter for a VM.
 *
 * @param pciAddresses   the host PCI addresses to claim, one per requested device, in the request's order
 * @param freeVcpus      vCPUs still claimable on the host before this VM
 * @param freeMemoryMib  memory still claimable on the host before this VM
 */
public record Candidate(String hostId, List<String> pciAddresses, int freeVcpus, long freeMemoryMib) {

    public Candidate {
        pciAddresses = List.copyOf(pciAddresses);
    }
}
