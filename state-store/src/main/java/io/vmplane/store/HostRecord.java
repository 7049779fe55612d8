package io.vmplane.store;

import java.time.Instant;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;

/**
 * A host as the registry holds it.
 *
 * @param inventory        the latest inventory its agent published
 * @param vcpuLimit        vCPUs placement may claim: total × CPU overcommit
 * @param memoryLimitMib   memory placement may claim: total × memory overcommit
 * @param reportedStatus   what the last heartbeat said ({@code up} or {@code degraded})
 * @param lastHeartbeat    when the last heartbeat was received, or null
 */
public record HostRecord(HostInventory inventory, int vcpuLimit, long memoryLimitMib, HostStatus reportedStatus,
                         Instant lastHeartbeat) {

    public String id() {
        return inventory.hostId();
    }

    /** {@code unreachable} when no heartbeat arrived within {@code timeout}, else what the host reported. */
    public HostStatus status(Instant now, java.time.Duration timeout) {
        if (lastHeartbeat == null || lastHeartbeat.plus(timeout).isBefore(now)) {
            return HostStatus.UNREACHABLE;
        }
        return reportedStatus == null ? HostStatus.UP : reportedStatus;
    }
}
