package io.vmplane.worker.config;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the shared state lives, prefix {@code vmplane.redis} (the same key every service reads).
 *
 * @param uri the Redis server, {@code redis://127.0.0.1:6390}
 */
@ConfigurationProperties("vmplane.redis")
public record RedisProperties(URI uri) {

    public RedisProperties {
        if (uri == null || !("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))) {
            // The value is not echoed: a Redis URI may carry a password.
            throw new IllegalArgumentException("vmplane.redis.uri must be set to a redis:// or rediss:// URI");
        }
    }
}
