package io.vmplane.worker.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.store.HostRecord;
import io.vmplane.store.Usage;

/**
 * What placement knows about one host: its inventory, the limits placement may claim up to (total × overcommit),
 * the sum of the claims already in the ledger, and its status as of now.
 */
public record HostView(HostInventory inventory, int vcpuLimit, long memoryLimitMib, Usage usage, HostStatus status) {

    public HostView {
        usage = usage == null ? Usage.NONE : usage;
    }

    /** The view of a registry record, with the status its last heartbeat gives it at {@code now}. */
    public static HostView of(HostRecord host, Usage usage, Instant now, Duration heartbeatTimeout) {
        return new HostView(host.inventory(), host.vcpuLimit(), host.memoryLimitMib(), usage,
                host.status(now, heartbeatTimeout));
    }

    public String id() {
        return inventory.hostId();
    }

    /** vCPUs placement may still claim: limit − claimed. */
    public int freeVcpus() {
        return vcpuLimit - usage.vcpus();
    }

    /** Memory placement may still claim: limit − claimed. */
    public long freeMemoryMib() {
        return memoryLimitMib - usage.memoryMib();
    }

    public Optional<HostInventory.Pool> pool(String name) {
        return inventory.storagePools().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Bytes of a pool not yet taken by claims: what the pool reports available − claimed. */
    public long freePoolBytes(HostInventory.Pool pool) {
        return pool.availableBytes() - usage.poolBytes().getOrDefault(pool.name(), 0L);
    }

    /** The per-pool limits a claim on this host is checked against: each pool's available bytes. */
    public Map<String, Long> poolLimits() {
        var limits = new LinkedHashMap<String, Long>();
        inventory.storagePools().forEach(p -> limits.put(p.name(), p.availableBytes()));
        return limits;
    }
}
