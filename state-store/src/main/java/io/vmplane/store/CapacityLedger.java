package io.vmplane.store;

import java.util.Optional;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The capacity ledger, outside every worker JVM: free = limit − sum of claims. Workers running in parallel never
 * overcommit a host because a claim checks and records in one atomic step.
 */
public interface CapacityLedger {

    /**
     * Claims capacity on {@code claim.hostId()} if, with every other claim on that host, the vCPUs stay within
     * {@code vcpuLimit}, the memory within {@code memoryLimitMib}, each pool's bytes within {@code poolLimits}
     * and no PCI address is held by another VM. Claiming again for a VM that already holds a claim on that host
     * succeeds without change; a VM holds at most one claim.
     */
    Mono<ClaimResult> claim(Claim claim, int vcpuLimit, long memoryLimitMib, java.util.Map<String, Long> poolLimits);

    /** The claim a VM holds, if any. */
    Mono<Optional<Claim>> claimOf(String vmId);

    /** Releases a VM's claim; a no-op when it holds none. */
    Mono<Void> release(String vmId);

    /** The sum of a host's claims. */
    Mono<Usage> usage(String hostId);

    /** Every claim on a host. */
    Flux<Claim> claims(String hostId);

    enum ClaimResult {
        CLAIMED, ALREADY_HELD, INSUFFICIENT_VCPUS, INSUFFICIENT_MEMORY, INSUFFICIENT_STORAGE, PCI_DEVICE_TAKEN,
        HELD_ON_OTHER_HOST;

        public boolean ok() {
            return this == CLAIMED || this == ALREADY_HELD;
        }
    }
}
