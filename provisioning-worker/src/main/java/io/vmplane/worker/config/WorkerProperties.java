package io.vmplane.worker.config;

import java.time.Duration;

import io.vmplane.worker.placement.PlacementStrategy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's settings, prefix {@code vmplane.worker}. Checked when bound: a bad value stops the start with a
 * message naming the property.
 *
 * @param instanceId        this instance's name, written as the source of the events it publishes
 * @param cpuOvercommit     vCPUs placement may claim per physical CPU of a host
 * @param memoryOvercommit  memory placement may claim per MiB of a host's physical memory
 * @param storageOvercommit bytes placement may claim in a pool per byte the pool reports available (new volumes
 *                          are thin; libvirt's test driver reports every simulated pool as 100 GiB)
 * @param heartbeatTimeout  a host without a heartbeat for this long is unreachable and takes no VMs
 * @param sweepInterval     how often VMs past their deadline are failed with {@code TIMEOUT}
 * @param placementStrategy {@code spread} (most free memory first) or {@code pack} (least free first)
 * @param sendTimeout       how long to wait for Kafka to acknowledge a record before the handling fails
 * @param storeTimeout      how long to wait for one state-store call before the handling fails
 * @param claimRounds       how many times placement is recomputed after every candidate's claim was lost to a
 *                          concurrent placement, before the VM fails with {@code NO_VALID_HOST}
 * @param handlingAttempts  attempts at a record whose handling fails, before it goes to the dead-letter topic
 * @param retryBackoff      the pause after the first failed attempt; it doubles after each further one
 * @param adminTimeout      how long the start-up waits for Kafka to create or confirm the topics
 * @param stallAfter        a create placed on a host that shows no progress for this long (and is not past its
 *                          deadline) gets its {@code ProvisionVm} published again
 * @param maxRedrives       how many times one create is re-driven at most (0: never); then its deadline ends it
 * @param hostWait          how long a create waits, placing it again every half second, when no host that is up
 *                          can take it but one that is unreachable or degraded could (a worker that just started
 *                          may not have read the latest heartbeats yet); then it fails with {@code NO_VALID_HOST}
 */
@ConfigurationProperties("vmplane.worker")
public record WorkerProperties(
        @DefaultValue("worker-1") String instanceId,
        @DefaultValue("4.0") double cpuOvercommit,
        @DefaultValue("1.0") double memoryOvercommit,
        @DefaultValue("1.0") double storageOvercommit,
        @DefaultValue("15s") Duration heartbeatTimeout,
        @DefaultValue("5s") Duration sweepInterval,
        @DefaultValue("spread") PlacementStrategy placementStrategy,
        @DefaultValue("10s") Duration sendTimeout,
        @DefaultValue("5s") Duration storeTimeout,
        @DefaultValue("3") int claimRounds,
        @DefaultValue("4") int handlingAttempts,
        @DefaultValue("200ms") Duration retryBackoff,
        @DefaultValue("30s") Duration adminTimeout,
        @DefaultValue("2m") Duration stallAfter,
        @DefaultValue("2") int maxRedrives,
        @DefaultValue("15s") Duration hostWait) {

    public WorkerProperties {
        require(instanceId != null && !instanceId.isBlank(), "instance-id", "must not be blank");
        require(cpuOvercommit > 0, "cpu-overcommit", "must be > 0, was " + cpuOvercommit);
        require(memoryOvercommit > 0, "memory-overcommit", "must be > 0, was " + memoryOvercommit);
        require(storageOvercommit > 0, "storage-overcommit", "must be > 0, was " + storageOvercommit);
        requirePositive(heartbeatTimeout, "heartbeat-timeout");
        requirePositive(sweepInterval, "sweep-interval");
        require(placementStrategy != null, "placement-strategy", "must be spread or pack");
        requirePositive(sendTimeout, "send-timeout");
        requirePositive(storeTimeout, "store-timeout");
        require(claimRounds >= 1, "claim-rounds", "must be >= 1, was " + claimRounds);
        require(handlingAttempts >= 1, "handling-attempts", "must be >= 1, was " + handlingAttempts);
        requirePositive(retryBackoff, "retry-backoff");
        requirePositive(adminTimeout, "admin-timeout");
        requirePositive(stallAfter, "stall-after");
        require(maxRedrives >= 0, "max-redrives", "must be >= 0, was " + maxRedrives);
        require(hostWait != null && !hostWait.isNegative(), "host-wait", "must not be negative, was " + hostWait);
    }

    private static void requirePositive(Duration value, String property) {
        require(value != null && !value.isNegative() && !value.isZero(), property, "must be a positive duration, was " + value);
    }

    private static void require(boolean condition, String property, String message) {
        if (!condition) {
            throw new IllegalArgumentException("vmplane.worker." + property + " " + message);
        }
    }
}
