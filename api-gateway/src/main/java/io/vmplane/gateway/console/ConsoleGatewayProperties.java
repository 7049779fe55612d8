package io.vmplane.gateway.console;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The gateway's console settings ({@code vmplane.gateway.console-*}), checked when they are bound: a bad value stops
 * the start with a message naming the property.
 *
 * @param consoleProxies           the console-proxy instances the gateway forwards console WebSockets to (round
 *                                 robin; an instance refusing the TCP connection is skipped)
 * @param consoleWsBaseUrl         when set, {@code ws_url} points straight at this proxy-tier base URL
 *                                 ({@code ws://} or {@code wss://}) instead of at the gateway
 * @param consoleTokenTtl          how long a console token opens a session
 * @param consoleTokensPerMinute   console tokens one user may be issued per minute (per gateway instance)
 * @param consoleStoreTimeout      how long one Redis call of the console endpoints may take (time limiter)
 * @param consoleBreakerOpenFor    how long the console's Redis circuit breaker stays open before it tries again
 * @param consoleProxyConnectTimeout how long the TCP connect to a console proxy may take
 * @param consoleProxyHandshakeTimeout how long a console proxy may take to answer the WebSocket upgrade
 * @param consoleInstanceMaxAge    a proxy instance whose last heartbeat is older is not listed as live
 */
@ConfigurationProperties("vmplane.gateway")
public record ConsoleGatewayProperties(
        @DefaultValue({"http://127.0.0.1:8090", "http://127.0.0.1:8091"}) List<URI> consoleProxies,
        URI consoleWsBaseUrl,
        @DefaultValue("60s") Duration consoleTokenTtl,
        @DefaultValue("30") int consoleTokensPerMinute,
        @DefaultValue("2s") Duration consoleStoreTimeout,
        @DefaultValue("10s") Duration consoleBreakerOpenFor,
        @DefaultValue("2s") Duration consoleProxyConnectTimeout,
        @DefaultValue("5s") Duration consoleProxyHandshakeTimeout,
        @DefaultValue("15s") Duration consoleInstanceMaxAge) {

    /** A token lives at least a second (a client needs the time to connect) and at most ten minutes (replay). */
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    static final Duration MAX_TTL = Duration.ofMinutes(10);

    public ConsoleGatewayProperties {
        require(consoleProxies != null && !consoleProxies.isEmpty(),
                "vmplane.gateway.console-proxies must name at least one console proxy");
        for (URI proxy : consoleProxies) {
            require(("http".equals(proxy.getScheme()) || "https".equals(proxy.getScheme())) && proxy.getHost() != null
                            && (proxy.getPath() == null || proxy.getPath().isEmpty() || "/".equals(proxy.getPath()))
                            && proxy.getQuery() == null,
                    "vmplane.gateway.console-proxies: '" + proxy + "' is not an http(s)://host:port base URL");
        }
        consoleProxies = List.copyOf(consoleProxies);
        require(consoleWsBaseUrl == null
                        || (("ws".equals(consoleWsBaseUrl.getScheme()) || "wss".equals(consoleWsBaseUrl.getScheme()))
                        && consoleWsBaseUrl.getHost() != null && consoleWsBaseUrl.getQuery() == null),
                "vmplane.gateway.console-ws-base-url must be a ws:// or wss:// URL without a query, was "
                        + consoleWsBaseUrl);
        require(consoleTokenTtl != null && consoleTokenTtl.compareTo(MIN_TTL) >= 0
                        && consoleTokenTtl.compareTo(MAX_TTL) <= 0,
                "vmplane.gateway.console-token-ttl must be between 1s and 10m, was " + consoleTokenTtl);
        require(consoleTokensPerMinute >= 1,
                "vmplane.gateway.console-tokens-per-minute must be at least 1, was " + consoleTokensPerMinute);
        require(positive(consoleStoreTimeout), "vmplane.gateway.console-store-timeout must be positive");
        require(positive(consoleBreakerOpenFor), "vmplane.gateway.console-breaker-open-for must be positive");
        require(positive(consoleProxyConnectTimeout),
                "vmplane.gateway.console-proxy-connect-timeout must be positive");
        require(positive(consoleProxyHandshakeTimeout),
                "vmplane.gateway.console-proxy-handshake-timeout must be positive");
        require(positive(consoleInstanceMaxAge), "vmplane.gateway.console-instance-max-age must be positive");
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
