package io.vmplane.worker.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.store.HostRecord;
import io.vmplane.store.Usage;

/**
 * What placement knows about one host: its inventory, the limits placement may claim up to (total × overcommit,
 * per pool: available bytes × storage overcommit), the sum of the claims already in the ledger, and its status as
 * of now.
 */
public record HostView(HostInventory inventory, int vcpuLimit, long memoryLimitMib, Map<String, Long> poolLimits,
                       Usage usage, HostStatus status) {

    public HostView {
        poolLimits = Map.copyOf(poolLimits);
        usage = usage == null ? Usage.NONE : usage;
    }

    /** The view of a registry record, with the status its last heartbeat gives it at {@code now}. */
    public static HostView of(HostRecord host, Usage usage, Instant now, Duration heartbeatTimeout,
                              double storageOvercommit) {
        return new HostView(host.inventory(), host.vcpuLimit(), host.memoryLimitMib(),
                HostLimits.poolLimits(host.inventory(), storageOvercommit), usage,
                host.status(now, heartbeatTimeout));
    }

    /** This host as if it were up: what placement would make of it once it reports again. */
    public HostView assumedUp() {
        return new HostView(inventory, vcpuLimit, memoryLimitMib, poolLimits, usage, HostStatus.UP);
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

    /** Bytes of a pool placement may still claim: its limit − claimed. */
    public long freePoolBytes(String pool) {
        return poolLimits.getOrDefault(pool, 0L) - usage.poolBytes().getOrDefault(pool, 0L);
    }
}
