package io.vmplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    private static GatewayProperties properties(Path secret, Duration createDeadline, String redis, String kafka) {
        return new GatewayProperties(secret, createDeadline, Duration.ofMinutes(10), Duration.ofSeconds(15),
                DataSize.ofKilobytes(64), Duration.ofHours(24), redis == null ? null : URI.create(redis), kafka);
    }

    @Test
    void shouldAcceptTheDefaults() {
        var p = properties(Path.of("/run/secret"), Duration.ofSeconds(5), "redis://127.0.0.1:6390", "127.0.0.1:9092");
        assertThat(p.maxBodySize().toBytes()).isEqualTo(65536);
    }

    @Test
    void shouldNameTheSecretFilePropertyWhenItIsMissing() {
        assertThatThrownBy(() -> properties(null, Duration.ofSeconds(5), "redis://127.0.0.1:6390", "k:9092"))
                .hasMessageContaining("vmplane.gateway.jwt-secret-file");
    }

    @Test
    void shouldRefuseACreateDeadlineTooShortForKafkasTimeouts() {
        assertThatThrownBy(() -> properties(Path.of("/s"), Duration.ofMillis(1500), "redis://127.0.0.1:6390",
                "k:9092")).hasMessageContaining("vmplane.gateway.create-deadline");
    }

    @Test
    void shouldRefuseARedisUriOfAnotherScheme() {
        assertThatThrownBy(() -> properties(Path.of("/s"), Duration.ofSeconds(5), "http://127.0.0.1:6390", "k:9092"))
                .hasMessageContaining("vmplane.redis.uri");
    }

    @Test
    void shouldRequireKafkaBootstrapServers() {
        assertThatThrownBy(() -> properties(Path.of("/s"), Duration.ofSeconds(5), "redis://127.0.0.1:6390", " "))
                .hasMessageContaining("spring.kafka.bootstrap-servers");
    }

    @Test
    void shouldDefaultTheLifecycleDeadlineAndTheOperationRetention() {
        var p = properties(Path.of("/s"), Duration.ofSeconds(5), "redis://127.0.0.1:6390", "k:9092");
        assertThat(p.lifecycleDeadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.operationRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void shouldRefuseANonPositiveLifecycleDeadlineOrOperationRetention() {
        assertThatThrownBy(() -> new GatewayProperties(Path.of("/s"), Duration.ofSeconds(5), Duration.ofMinutes(10),
                Duration.ofSeconds(15), DataSize.ofKilobytes(64), Duration.ofHours(24),
                URI.create("redis://127.0.0.1:6390"), "k:9092", Duration.ZERO, Duration.ofDays(7)))
                .hasMessageContaining("vmplane.gateway.lifecycle-deadline");
        assertThatThrownBy(() -> new GatewayProperties(Path.of("/s"), Duration.ofSeconds(5), Duration.ofMinutes(10),
                Duration.ofSeconds(15), DataSize.ofKilobytes(64), Duration.ofHours(24),
                URI.create("redis://127.0.0.1:6390"), "k:9092", Duration.ofMinutes(5), Duration.ofSeconds(-1)))
                .hasMessageContaining("vmplane.gateway.operation-retention");
    }

    @Test
    void shouldRequireExactlyOneOfTheSecretFileAndTheJwksUri() {
        // Given both identity providers, then neither
        // When the configuration is bound
        // Then it is refused, naming both properties
        for (Path secret : new Path[] {Path.of("/s"), null}) {
            URI jwks = secret == null ? null : URI.create("https://idp.example.test/certs");
            assertThatThrownBy(() -> new GatewayProperties(secret, Duration.ofSeconds(5), Duration.ofMinutes(10),
                    Duration.ofSeconds(15), DataSize.ofKilobytes(64), Duration.ofHours(24),
                    URI.create("redis://127.0.0.1:6390"), "k:9092", Duration.ofMinutes(5), Duration.ofDays(7),
                    jwks, null))
                    .hasMessageContaining("vmplane.gateway.jwt-secret-file")
                    .hasMessageContaining("vmplane.gateway.jwks-uri");
        }
    }

    @Test
    void shouldAcceptAJwksUriAndAnIssuerWithoutASecretFile() {
        var p = new GatewayProperties(null, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(15),
                DataSize.ofKilobytes(64), Duration.ofHours(24), URI.create("redis://127.0.0.1:6390"), "k:9092",
                Duration.ofMinutes(5), Duration.ofDays(7), URI.create("https://idp.example.test/certs"),
                "https://idp.example.test");
        assertThat(p.jwksUri()).hasToString("https://idp.example.test/certs");
        assertThat(p.issuer()).isEqualTo("https://idp.example.test");
    }

    @Test
    void shouldRefuseABlankIssuer() {
        assertThatThrownBy(() -> new GatewayProperties(Path.of("/s"), Duration.ofSeconds(5), Duration.ofMinutes(10),
                Duration.ofSeconds(15), DataSize.ofKilobytes(64), Duration.ofHours(24),
                URI.create("redis://127.0.0.1:6390"), "k:9092", Duration.ofMinutes(5), Duration.ofDays(7), null, " "))
                .hasMessageContaining("vmplane.gateway.issuer");
    }
}
