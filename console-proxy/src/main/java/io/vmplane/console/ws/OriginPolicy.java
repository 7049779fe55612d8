package io.vmplane.console.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a handshake's {@code Origin} may open a console: one of the allowed origins (scheme, host and port compared,
 * default ports made explicit), or no Origin at all when that is allowed (non-browser clients send none; a browser
 * always does). {@code null} and the literal {@code "null"} origin count as missing and present-but-foreign.
 */
public final class OriginPolicy {

    private final Set<String> allowed;
    private final boolean allowMissing;

    public OriginPolicy(List<URI> allowedOrigins, boolean allowMissing) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
        this.allowMissing = allowMissing;
    }

    public boolean allows(String origin) {
        if (origin == null || origin.isBlank()) {
            return allowMissing;
        }
        try {
            URI uri = URI.create(origin.strip());
            return uri.getHost() != null && allowed.contains(normalise(uri));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalise(URI origin) {
        String scheme = origin.getScheme().toLowerCase(Locale.ROOT);
        int port = origin.getPort() != -1 ? origin.getPort() : "https".equals(scheme) ? 443 : 80;
        return scheme + "://" + origin.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
