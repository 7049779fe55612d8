package io.vmplane.worker.placement;

import java.util.Comparator;

/** The weigher: in which order the hosts that pass the filters are tried. */
public enum PlacementStrategy {

    /** Most free memory first, then most free vCPUs: VMs spread over hosts. */
    SPREAD(Comparator.comparingLong(Candidate::freeMemoryMib).reversed()
            .thenComparing(Comparator.comparingInt(Candidate::freeVcpus).reversed())
            .thenComparing(Candidate::hostId)),

    /** Least free memory first, then least free vCPUs: hosts fill up one after another. */
    PACK(Comparator.comparingLong(Candidate::freeMemoryMib)
            .thenComparingInt(Candidate::freeVcpus)
            .thenComparing(Candidate::hostId));

    private final Comparator<Candidate> order;

    PlacementStrategy(Comparator<Candidate> order) {
        this.order = order;
    }

    Comparator<Candidate> order() {
        return order;
    }
}
