package io.vmplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class ConsoleUrlsTest {

    @Test
    void shouldPointAtTheGatewayAsTheClientReachedIt() {
        assertThat(ConsoleController.wsUrl(URI.create("http://localhost:8080/api/v1/virtualization/x"), "/api/v1",
                null, "vm-1", "T"))
                .isEqualTo("ws://localhost:8080/api/v1/virtualization/virtualmachines/vm-1/console/ws?token=T");
        assertThat(ConsoleController.wsUrl(URI.create("https://api.example/api/v1/x"), "/api/v1", null, "vm-1", "T"))
                .isEqualTo("wss://api.example/api/v1/virtualization/virtualmachines/vm-1/console/ws?token=T");
    }

    @Test
    void shouldPointAtTheConfiguredProxyTier() {
        assertThat(ConsoleController.wsUrl(URI.create("http://localhost:8080/api/v1/x"), "/api/v1",
                URI.create("wss://consoles.example:8443/"), "vm-1", "T"))
                .isEqualTo("wss://consoles.example:8443/api/v1/virtualization/virtualmachines/vm-1/console/ws?token=T");
    }

    @Test
    void shouldMakeUnpaddedBase64UrlTokensOf256RandomBits() {
        String token = ConsoleController.newToken();
        assertThat(token).matches("^[A-Za-z0-9_-]{43}$");
        assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
        assertThat(ConsoleController.newToken()).isNotEqualTo(token);
    }
}
