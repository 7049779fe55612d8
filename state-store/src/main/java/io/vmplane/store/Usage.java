package io.vmplane.store;

import java.util.Map;
import java.util.Set;

/** The sum of a host's claims. */
public record Usage(int vcpus, long memoryMib, Set<String> pciAddresses, Map<String, Long> poolBytes) {

    public static final Usage NONE = new Usage(0, 0, Set.of(), Map.of());
}
