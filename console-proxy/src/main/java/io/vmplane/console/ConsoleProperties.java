package io.vmplane.console;

import java.net.URI;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console proxy's configuration ({@code vmplane.console.*}), checked when it is bound: a bad value stops the
 * start with a message naming the property.
 *
 * @param redisUri       where console tokens and connection statistics are shared (defaults to
 *                       {@code vmplane.redis.uri})
 * @param allowedOrigins the browser origins allowed to open a console WebSocket
 */
@ConfigurationProperties("vmplane.console")
public record ConsoleProperties(
        URI redisUri,
        @DefaultValue({"http://localhost:8080", "http://127.0.0.1:8080"}) List<URI> allowedOrigins) {

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
    }
}
