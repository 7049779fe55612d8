package io.vmplane.agent.hypervisor;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.vmplane.agent.domain.PciAddress;

/**
 * The host PCI addresses each domain passes through, remembered per domain so that an inventory reads the
 * definitions of new and changed domains only (reading and parsing every domain's XML for every report made a
 * host's reports grow quadratically as it filled).
 *
 * <p>A domain is remembered under its UUID with the id it had when read. A domain started or stopped since gets a
 * new id (-1 while shut off) and is read again: libvirt then answers from its other copy of the definition (live or
 * persistent), which another client may have edited. The agent forgets a domain it (re)defines or removes itself
 * ({@link #forget}). A change by another client that keeps the id (a hot-plug, a domain undefined and defined again
 * with its UUID between two reports) is seen at the next full read ({@link #toRead} with {@code all}).
 *
 * <p>Pure and not thread-safe: the agent uses it on the libvirt thread only.
 */
final class HostdevCache {

    /** A listed domain: its UUID and its id, -1 when it is not running. */
    record Key(String uuid, int id) {
    }

    private record Known(int id, List<PciAddress> addresses) {
    }

    private final Map<String, Known> known = new HashMap<>();
    private long definitionsRead;

    /**
     * Of the domains listed now, those whose definition must be read: every one when {@code all}, else those not
     * remembered or remembered with another id. Forgets every other domain but those remembered as listed, so a
     * domain gone from the host, or gone before its definition could be read, holds no device.
     */
    Set<Key> toRead(Collection<Key> listed, boolean all) {
        Map<String, Known> kept = new HashMap<>();
        Set<Key> read = new HashSet<>();
        for (Key key : listed) {
            Known k = known.get(key.uuid());
            if (!all && k != null && k.id() == key.id()) {
                kept.put(key.uuid(), k);
            }
            else {
                read.add(key);
            }
        }
        known.clear();
        known.putAll(kept);
        return read;
    }

    /** What the domain's definition, just read, passes through. */
    void remember(Key key, List<PciAddress> addresses) {
        known.put(key.uuid(), new Known(key.id(), List.copyOf(addresses)));
        definitionsRead++;
    }

    /** Drops a domain whose definition changed (or that is gone): the next inventory reads it again if it exists. */
    void forget(String uuid) {
        known.remove(uuid);
    }

    void forgetAll() {
        known.clear();
    }

    /** The addresses ({@code dddd:bb:ss.f}) some remembered domain passes through. */
    Set<String> inUse() {
        Set<String> inUse = new TreeSet<>();
        known.values().forEach(k -> k.addresses().forEach(a -> inUse.add(a.toString())));
        return inUse;
    }

    /** How many definitions were read since this cache was made: what a report costs, for logs and tests. */
    long definitionsRead() {
        return definitionsRead;
    }
}
