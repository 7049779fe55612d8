package io.vmplane.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.vmplane.gateway.GatewayProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class SecretFileTest {

    @TempDir
    Path dir;

    private static GatewayProperties properties(Path secret) {
        return new GatewayProperties(secret, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(15),
                DataSize.ofKilobytes(64), Duration.ofHours(24), URI.create("redis://127.0.0.1:6390"), "k:9092");
    }

    @Test
    void shouldUseTheTrimmedTextAsUtf8Bytes() throws IOException {
        // Given a secret file with surrounding whitespace, as an editor or echo leaves it
        Path file = Files.writeString(dir.resolve("secret"), "  " + "s".repeat(40) + "é\n");
        // When it is read
        byte[] key = SecurityConfiguration.readSecret(properties(file));
        // Then the key is the trimmed text's UTF-8 bytes
        assertThat(key).isEqualTo(("s".repeat(40) + "é").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseASecretShorterThan32BytesWithoutShowingIt() throws IOException {
        Path file = Files.writeString(dir.resolve("secret"), "too-short-secret\n");
        assertThatThrownBy(() -> SecurityConfiguration.readSecret(properties(file)))
                .hasMessageContaining("vmplane.gateway.jwt-secret-file")
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("too-short-secret");
    }

    @Test
    void shouldNameThePropertyWhenTheFileIsMissing() {
        assertThatThrownBy(() -> SecurityConfiguration.readSecret(properties(dir.resolve("absent"))))
                .hasMessageContaining("vmplane.gateway.jwt-secret-file");
    }
}
