package io.vmplane.gateway.vm;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.ProblemExceptionHandler;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a JSON request body as a tree, within a size limit: too large → 413, not JSON → 400
 * {@code MALFORMED_JSON}. Duplicate member names and trailing content count as malformed.
 */
public final class RequestBodies {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RequestBodies() {
    }

    public static Mono<JsonNode> readTree(ServerHttpRequest request, long maxBytes) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge(maxBytes));
        }
        return DataBufferUtils.join(request.getBody(), (int) Math.min(Integer.MAX_VALUE, maxBytes))
                .map(RequestBodies::drain)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge(maxBytes))
                .map(RequestBodies::parse);
    }

    /** Like {@link #readTree}, but an empty body is no error: the result is then empty. */
    public static Mono<JsonNode> readOptionalTree(ServerHttpRequest request, long maxBytes) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge(maxBytes));
        }
        return DataBufferUtils.join(request.getBody(), (int) Math.min(Integer.MAX_VALUE, maxBytes))
                .map(RequestBodies::drain)
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge(maxBytes))
                .filter(bytes -> bytes.length > 0)
                .map(RequestBodies::parse);
    }

    /** Parses a whole body; an empty or malformed one is a 400 {@code MALFORMED_JSON}. */
    public static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("MALFORMED_JSON", "The request body is empty; a JSON object is expected");
        }
        try {
            return STRICT.readTree(bytes);
        }
        catch (JacksonException e) {
            var location = e.getLocation();
            throw ApiException.badRequest("MALFORMED_JSON", "The request body is not valid JSON"
                    + (location == null ? "" : " (line " + location.getLineNr() + ", column "
                    + location.getColumnNr() + ")") + ": " + plain(e.getOriginalMessage()));
        }
    }

    /**
     * Jackson's message without what speaks of Jackson itself (the type a tree is bound as, the feature or constraint
     * to turn on: {@code `…`} and what leads up to it), its first line only, at most 200 characters.
     */
    static String plain(String message) {
        String text = message == null ? "" : message.lines().findFirst().orElse("");
        int source = text.indexOf("[Source");
        if (source >= 0) {
            text = text.substring(0, source);
        }
        int tick = text.indexOf('`');
        if (tick >= 0) {
            text = text.substring(0, tick)
                    .replaceAll("(\\s*[,:;(]?\\s*(bound as|from|enable|not allowed as per|as per))+\\s*$", "");
        }
        text = text.replaceAll("[\\s,:;(]+$", "");
        int unmatched = -1;
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '(') {
                if (depth++ == 0) {
                    unmatched = i;
                }
            } else if (text.charAt(i) == ')' && depth > 0) {
                depth--;
            }
        }
        if (depth > 0) {
            // a parenthesis the cut left open: a bare number is closed, anything else dropped
            text = text.substring(unmatched + 1).strip().matches("[0-9]+") ? text + ")"
                    : text.substring(0, unmatched).stripTrailing();
        }
        return shorten(text);
    }

    private static String shorten(String message) {
        return message == null || message.length() <= 200 ? message : message.substring(0, 200) + "…";
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(ProblemExceptionHandler.tooLarge(
                "The request body exceeds " + maxBytes + " bytes"));
    }
}
