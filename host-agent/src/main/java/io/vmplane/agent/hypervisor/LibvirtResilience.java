package io.vmplane.agent.hypervisor;

import java.time.Duration;

/**
 * How the agent guards its libvirt calls (see {@link LibvirtExecutor}).
 *
 * @param callTimeout          the longest a single libvirt call may take, waiting in the queue included
 * @param retryAttempts        attempts of a call failing with a transient error, the first included (1: no retry)
 * @param retryBackoff         the wait before the second attempt, doubled before each further one
 * @param breakerOpenDuration  how long the circuit breaker stays open (every call refused at once, the host
 *                             {@code degraded}) before one probe call may try libvirtd again
 */
public record LibvirtResilience(Duration callTimeout, int retryAttempts, Duration retryBackoff,
                                Duration breakerOpenDuration) {

    public LibvirtResilience {
        if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("the libvirt call timeout must be positive (was: " + callTimeout + ")");
        }
        if (retryAttempts < 1) {
            throw new IllegalArgumentException("libvirt calls need at least 1 attempt (was: " + retryAttempts + ")");
        }
        if (retryBackoff == null || retryBackoff.isNegative() || retryBackoff.isZero()) {
            throw new IllegalArgumentException("the libvirt retry back-off must be positive (was: " + retryBackoff
                    + ")");
        }
        if (breakerOpenDuration == null || breakerOpenDuration.isNegative() || breakerOpenDuration.isZero()) {
            throw new IllegalArgumentException("the libvirt breaker's open duration must be positive (was: "
                    + breakerOpenDuration + ")");
        }
    }

    /** The agent's defaults: 30 s per call, 3 attempts 200 ms then 400 ms apart, breaker open for 5 s. */
    public static LibvirtResilience defaults() {
        return new LibvirtResilience(Duration.ofSeconds(30), 3, Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
