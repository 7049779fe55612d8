package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.vmplane.testsupport.SharedInfra;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleProxyApplicationIT {

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
    }

    @LocalServerPort
    int port;

    @Test
    void shouldStartAndReportHealthUp() {
        // Given the proxy started on a random port
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        // When its health is asked for
        // Then it is UP, and its meters are listed
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        client.get().uri("/actuator/metrics/vmplane.console.sessions.active").exchange().expectStatus().isOk();
    }

    @Test
    void shouldRefuseToStartWithAnOriginThatHasAPath() {
        // Given an allowed origin that is a URL with a path
        SpringApplication app = new SpringApplication(ConsoleProxyApplication.class);
        // When the proxy starts
        // Then it stops with a message naming the property
        assertThatThrownBy(() -> {
            try (ConfigurableApplicationContext ignored = app.run("--server.port=0",
                    "--vmplane.redis.uri=" + SharedInfra.redis().uri(),
                    "--vmplane.console.allowed-origins=http://localhost:8080/console")) {
                assertThat(ignored).isNull();
            }
        }).hasStackTraceContaining("vmplane.console.allowed-origins");
    }

    @Test
    void shouldRefuseARedisUriOfAnotherScheme() {
        assertThatThrownBy(() -> ConsoleProperties.defaults(URI.create("http://127.0.0.1:6390"), List.of()))
                .hasMessageContaining("vmplane.redis.uri");
    }

    @Test
    void shouldKeepWellFormedOrigins() {
        var properties = ConsoleProperties.defaults(URI.create("redis://127.0.0.1:6390"),
                List.of(URI.create("https://console.example:8443")));
        assertThat(properties.allowedOrigins()).containsExactly(URI.create("https://console.example:8443"));
        assertThat(properties.instanceId()).startsWith("console-");
    }
}
