package io.vmplane.gateway.console;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console proxies' policy as {@code GET /virtualization/console/config} reports it: the same
 * {@code vmplane.console.*} keys, with the same defaults, as the proxies read (give the gateway the values the
 * proxies get). The gateway enforces none of them; the proxies do.
 *
 * @param allowedOrigins   browser origins allowed to open a console WebSocket
 * @param idleTimeout      a session without data either way for this long is closed
 * @param maxSessionsPerVm live sessions one VM may have across all proxy instances
 */
@ConfigurationProperties("vmplane.console")
public record ConsoleProxyPolicy(
        @DefaultValue({"http://localhost:8080", "http://127.0.0.1:8080"}) List<String> allowedOrigins,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("1") int maxSessionsPerVm) {

    public ConsoleProxyPolicy {
        allowedOrigins = List.copyOf(allowedOrigins);
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("vmplane.console.idle-timeout must be positive, was " + idleTimeout);
        }
        if (maxSessionsPerVm < 1) {
            throw new IllegalArgumentException("vmplane.console.max-sessions-per-vm must be at least 1, was "
                    + maxSessionsPerVm);
        }
    }
}
