package io.vmplane.gateway;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's configuration ({@code vmplane.gateway.*}), checked when it is bound: a bad value stops the start
 * with a message naming the property.
 *
 * @param jwtSecretFile         file holding the HS256 secret of the bearer tokens (trimmed, at least 32 bytes): the
 *                              local identity provider ({@code ./dev token}); exactly one of it and {@code jwksUri}
 * @param createDeadline        how long a create waits for Kafka to make its command durable before answering 503
 * @param provisioningDeadline  the deadline given to a CreateVm command, from its acceptance
 * @param heartbeatTimeout      a host without a heartbeat for this long is shown as unreachable
 * @param maxBodySize           the largest request body accepted (413 above)
 * @param idempotencyKeyTtl     how long an Idempotency-Key is remembered
 * @param lifecycleDeadline     the deadline given to start, stop, reboot and delete commands, from their acceptance
 * @param operationRetention    how long an ended operation stays readable
 * @param redisUri              the state store (defaults to {@code vmplane.redis.uri})
 * @param kafkaBootstrapServers the Kafka cluster (defaults to {@code spring.kafka.bootstrap-servers})
 * @param jwksUri               an identity provider's JWK set (RS256/ES256 tokens); exactly one of it and
 *                              {@code jwtSecretFile}
 * @param issuer                when set, the {@code iss} claim every token must carry
 */
@ConfigurationProperties("vmplane.gateway")
public record GatewayProperties(
        Path jwtSecretFile,
        @DefaultValue("5s") Duration createDeadline,
        @DefaultValue("10m") Duration provisioningDeadline,
        @DefaultValue("15s") Duration heartbeatTimeout,
        @DefaultValue("64KB") DataSize maxBodySize,
        @DefaultValue("24h") Duration idempotencyKeyTtl,
        URI redisUri,
        String kafkaBootstrapServers,
        @DefaultValue("5m") Duration lifecycleDeadline,
        @DefaultValue("7d") Duration operationRetention,
        URI jwksUri,
        String issuer) {

    /** Kafka needs a second of the create deadline for its own request timeouts to fit inside it. */
    static final Duration MIN_CREATE_DEADLINE = Duration.ofSeconds(2);

    @ConstructorBinding
    public GatewayProperties {
        require((jwtSecretFile != null) != (jwksUri != null),
                "exactly one of vmplane.gateway.jwt-secret-file (the file holding the JWT secret) and "
                        + "vmplane.gateway.jwks-uri (an identity provider's JWK set) must be set");
        require(jwksUri == null || "https".equals(jwksUri.getScheme()) || "http".equals(jwksUri.getScheme()),
                "vmplane.gateway.jwks-uri must be an http(s) URI, was " + jwksUri);
        require(issuer == null || !issuer.isBlank(), "vmplane.gateway.issuer must not be blank when set");
        require(createDeadline.compareTo(MIN_CREATE_DEADLINE) >= 0,
                "vmplane.gateway.create-deadline must be at least 2s, was " + createDeadline);
        require(positive(provisioningDeadline), "vmplane.gateway.provisioning-deadline must be positive");
        require(positive(heartbeatTimeout), "vmplane.gateway.heartbeat-timeout must be positive");
        require(maxBodySize.toBytes() >= 1024, "vmplane.gateway.max-body-size must be at least 1KB");
        require(positive(idempotencyKeyTtl), "vmplane.gateway.idempotency-key-ttl must be positive");
        require(redisUri != null && ("redis".equals(redisUri.getScheme()) || "rediss".equals(redisUri.getScheme())),
                "vmplane.redis.uri (or vmplane.gateway.redis-uri) must be a redis:// URI, was " + redisUri);
        require(kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank(),
                "spring.kafka.bootstrap-servers (or vmplane.gateway.kafka-bootstrap-servers) must be set");
        require(positive(lifecycleDeadline), "vmplane.gateway.lifecycle-deadline must be positive");
        require(positive(operationRetention), "vmplane.gateway.operation-retention must be positive");
    }

    /** The configuration with the local identity provider only (no JWK set, no issuer). */
    public GatewayProperties(Path jwtSecretFile, Duration createDeadline, Duration provisioningDeadline,
                             Duration heartbeatTimeout, DataSize maxBodySize, Duration idempotencyKeyTtl,
                             URI redisUri, String kafkaBootstrapServers, Duration lifecycleDeadline,
                             Duration operationRetention) {
        this(jwtSecretFile, createDeadline, provisioningDeadline, heartbeatTimeout, maxBodySize, idempotencyKeyTtl,
                redisUri, kafkaBootstrapServers, lifecycleDeadline, operationRetention, null, null);
    }

    /** The configuration with the default life-cycle deadline (5m) and operation retention (7d). */
    public GatewayProperties(Path jwtSecretFile, Duration createDeadline, Duration provisioningDeadline,
                             Duration heartbeatTimeout, DataSize maxBodySize, Duration idempotencyKeyTtl,
                             URI redisUri, String kafkaBootstrapServers) {
        this(jwtSecretFile, createDeadline, provisioningDeadline, heartbeatTimeout, maxBodySize, idempotencyKeyTtl,
                redisUri, kafkaBootstrapServers, Duration.ofMinutes(5), Duration.ofDays(7));
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
