package io.vmplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ConsoleGatewayPropertiesTest {

    private static ConsoleGatewayProperties with(List<URI> proxies, URI wsBase, Duration ttl, int perMinute) {
        return new ConsoleGatewayProperties(proxies, wsBase, ttl, perMinute, Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(15));
    }

    private static final List<URI> PROXIES = List.of(URI.create("http://127.0.0.1:8090"));

    @Test
    void shouldAcceptTheDefaults() {
        assertThat(with(PROXIES, URI.create("wss://console.example"), Duration.ofSeconds(60), 30).consoleProxies())
                .containsExactlyElementsOf(PROXIES);
    }

    @Test
    void shouldNameThePropertyOfABadValue() {
        assertThatThrownBy(() -> with(List.of(), null, Duration.ofSeconds(60), 30))
                .hasMessageContaining("vmplane.gateway.console-proxies");
        assertThatThrownBy(() -> with(List.of(URI.create("ws://127.0.0.1:8090")), null, Duration.ofSeconds(60), 30))
                .hasMessageContaining("vmplane.gateway.console-proxies");
        assertThatThrownBy(() -> with(PROXIES, URI.create("http://x"), Duration.ofSeconds(60), 30))
                .hasMessageContaining("vmplane.gateway.console-ws-base-url");
        assertThatThrownBy(() -> with(PROXIES, null, Duration.ofMinutes(11), 30))
                .hasMessageContaining("vmplane.gateway.console-token-ttl");
        assertThatThrownBy(() -> with(PROXIES, null, Duration.ofMillis(500), 30))
                .hasMessageContaining("vmplane.gateway.console-token-ttl");
        assertThatThrownBy(() -> with(PROXIES, null, Duration.ofSeconds(60), 0))
                .hasMessageContaining("vmplane.gateway.console-tokens-per-minute");
    }
}
