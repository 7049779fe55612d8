package io.vmplane.store.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.vmplane.store.Claim;
import io.vmplane.store.Usage;

/**
 * The capacity ledger's script arguments and the usage hash's layout. Amounts travel as decimal strings so that
 * Redis' {@code HINCRBY} adds exact integers (a Lua number would print large byte counts in exponent form).
 */
final class LedgerArgs {

    static final String VCPUS = "vcpus";
    static final String MEMORY_MIB = "memory_mib";
    static final String POOL_PREFIX = "pool:";

    private LedgerArgs() {
    }

    /**
     * ARGV of {@code claim.lua}. A pool the claim needs but {@code poolLimits} does not name has a limit of 0: the
     * host has no room there.
     */
    static List<String> claim(Claim claim, String claimJson, int vcpuLimit, long memoryLimitMib,
                              Map<String, Long> poolLimits) {
        requireNonNegative(claim);
        var args = new ArrayList<String>();
        args.add(claim.vmId());
        args.add(claim.hostId());
        args.add(claimJson);
        args.add(Integer.toString(claim.vcpus()));
        args.add(Integer.toString(vcpuLimit));
        args.add(Long.toString(claim.memoryMib()));
        args.add(Long.toString(memoryLimitMib));
        args.add(Integer.toString(claim.pciAddresses().size()));
        args.addAll(claim.pciAddresses());
        new TreeMap<>(claim.poolBytes()).forEach((pool, bytes) -> {
            args.add(pool);
            args.add(Long.toString(bytes));
            args.add(Long.toString(poolLimits == null ? 0 : poolLimits.getOrDefault(pool, 0L)));
        });
        return args;
    }

    /** ARGV of {@code release.lua}: the claim's amounts negated; {@code claim} null when none was found. */
    static List<String> release(String vmId, String hostId, Claim claim, String claimJson) {
        var args = new ArrayList<String>();
        args.add(vmId);
        args.add(hostId);
        args.add(claimJson == null ? "" : claimJson);
        if (claim == null) {
            args.add("0");
            args.add("0");
            args.add("0");
            return args;
        }
        args.add(Long.toString(-(long) claim.vcpus()));
        args.add(Long.toString(-claim.memoryMib()));
        args.add(Integer.toString(claim.pciAddresses().size()));
        args.addAll(claim.pciAddresses());
        new TreeMap<>(claim.poolBytes()).forEach((pool, bytes) -> {
            args.add(pool);
            args.add(Long.toString(-bytes));
        });
        return args;
    }

    /** A usage hash and the PCI addresses held on the host, as {@link Usage}. */
    static Usage usage(Map<String, String> sums, List<String> pciAddresses) {
        var pools = new TreeMap<String, Long>();
        sums.forEach((field, value) -> {
            if (field.startsWith(POOL_PREFIX)) {
                pools.put(field.substring(POOL_PREFIX.length()), Long.parseLong(value));
            }
        });
        return new Usage(Integer.parseInt(sums.getOrDefault(VCPUS, "0")),
                Long.parseLong(sums.getOrDefault(MEMORY_MIB, "0")),
                java.util.Collections.unmodifiableSet(new TreeSet<>(pciAddresses)),
                java.util.Collections.unmodifiableMap(pools));
    }

    private static void requireNonNegative(Claim claim) {
        if (claim.vcpus() < 0 || claim.memoryMib() < 0
                || claim.poolBytes().values().stream().anyMatch(bytes -> bytes == null || bytes < 0)) {
            throw new IllegalArgumentException("a claim's amounts must not be negative: " + claim);
        }
    }
}
