package io.vmplane.console;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console proxy's configuration ({@code vmplane.console.*}), checked when it is bound: a bad value stops the
 * start with a message naming the property.
 *
 * @param redisUri              where console tokens and sessions are shared (defaults to {@code vmplane.redis.uri})
 * @param allowedOrigins        the browser origins allowed to open a console WebSocket
 * @param allowMissingOrigin    whether a handshake without an {@code Origin} header (a non-browser client) is let in
 * @param instanceId            this instance's id in stats and heartbeats (default: {@code console-} + random)
 * @param pingInterval          how often a WebSocket ping goes to the browser (keeps load balancers from idling out)
 * @param idleTimeout           a session without a data frame either way for this long is closed (pings do not count)
 * @param maxSessionsPerVm      live sessions one VM may have across all instances (a SPICE session counts once)
 * @param maxSessionsPerUser    live sessions one user may hold on this instance
 * @param maxSessionsPerInstance live sessions this instance holds at most
 * @param busyPolicy            what a session beyond {@code maxSessionsPerVm} does: refuse, or take the older over
 * @param connectTimeout        how long the TCP connect to the VM's VNC/SPICE port may take
 * @param storeTimeout          how long one Redis call may take before it counts as failed (time limiter)
 * @param breakerOpenFor        how long the Redis circuit breaker stays open before it tries again
 * @param heartbeatInterval     how often the instance heartbeat and the sessions' statistics go to Redis
 */
@ConfigurationProperties("vmplane.console")
public record ConsoleProperties(
        URI redisUri,
        @DefaultValue({"http://localhost:8080", "http://127.0.0.1:8080"}) List<URI> allowedOrigins,
        @DefaultValue("true") boolean allowMissingOrigin,
        String instanceId,
        @DefaultValue("20s") Duration pingInterval,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("1") int maxSessionsPerVm,
        @DefaultValue("10") int maxSessionsPerUser,
        @DefaultValue("1000") int maxSessionsPerInstance,
        @DefaultValue("refuse") BusyPolicy busyPolicy,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("2s") Duration storeTimeout,
        @DefaultValue("10s") Duration breakerOpenFor,
        @DefaultValue("3s") Duration heartbeatInterval) {

    /** What a new session does when its VM already has {@code maxSessionsPerVm} sessions. */
    public enum BusyPolicy {
        /** the new one is refused with {@code CONSOLE_BUSY} */
        REFUSE,
        /** the oldest session is closed ({@code SESSION_TAKEN_OVER}) and the new one opens */
        TAKEOVER
    }

    public ConsoleProperties {
        if (redisUri == null || !("redis".equals(redisUri.getScheme()) || "rediss".equals(redisUri.getScheme()))) {
            throw new IllegalArgumentException(
                    "vmplane.redis.uri (or vmplane.console.redis-uri) must be a redis:// URI, was " + redisUri);
        }
        for (URI origin : allowedOrigins) {
            if (!("http".equals(origin.getScheme()) || "https".equals(origin.getScheme()))
                    || origin.getHost() == null || !(origin.getPath() == null || origin.getPath().isEmpty())) {
                throw new IllegalArgumentException("vmplane.console.allowed-origins: '" + origin
                        + "' is not an origin (scheme://host[:port], no path)");
            }
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = "console-" + UUID.randomUUID().toString().substring(0, 8);
        } else if (!instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("vmplane.console.instance-id: letters, digits and . _ - only, was '"
                    + instanceId + "'");
        }
        positive("ping-interval", pingInterval);
        positive("idle-timeout", idleTimeout);
        positive("connect-timeout", connectTimeout);
        positive("store-timeout", storeTimeout);
        positive("breaker-open-for", breakerOpenFor);
        positive("heartbeat-interval", heartbeatInterval);
        atLeastOne("max-sessions-per-vm", maxSessionsPerVm);
        atLeastOne("max-sessions-per-user", maxSessionsPerUser);
        atLeastOne("max-sessions-per-instance", maxSessionsPerInstance);
        if (busyPolicy == null) {
            throw new IllegalArgumentException("vmplane.console.busy-policy: refuse or takeover");
        }
    }

    /** The defaults with the given Redis URI and origins (tests, tools). */
    public static ConsoleProperties defaults(URI redisUri, List<URI> allowedOrigins) {
        return new ConsoleProperties(redisUri, allowedOrigins, true, null, Duration.ofSeconds(20),
                Duration.ofMinutes(30), 1, 10, 1000, BusyPolicy.REFUSE, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(3));
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("vmplane.console." + name + " must be a positive duration, was "
                    + value);
        }
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("vmplane.console." + name + " must be at least 1, was " + value);
        }
    }
}
