package io.vmplane.gateway.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.gateway.web.Problem;
import tools.jackson.databind.JsonNode;

/**
 * The optional body of {@code POST …/{id}/stop}: {@code {"force": bool, "graceful_timeout_seconds": 1..3600}}.
 * A pure function of the parsed body; a missing body means the defaults.
 */
public record StopRequest(boolean force, int gracefulTimeoutSeconds) {

    public static final int DEFAULT_GRACEFUL_TIMEOUT_SECONDS = 60;
    public static final int MIN_GRACEFUL_TIMEOUT_SECONDS = 1;
    public static final int MAX_GRACEFUL_TIMEOUT_SECONDS = 3600;
    public static final StopRequest DEFAULT = new StopRequest(false, DEFAULT_GRACEFUL_TIMEOUT_SECONDS);

    static final Set<String> FIELDS = Set.of("force", "graceful_timeout_seconds");

    /** @param body the parsed body, or null when there was none */
    public static StopRequest parse(JsonNode body) {
        if (body == null) {
            return DEFAULT;
        }
        var errors = new ArrayList<FieldError>();
        if (!body.isObject()) {
            throw rejection(List.of(new FieldError("", ErrorCodes.INVALID_TYPE,
                    "The request body must be a JSON object")));
        }
        for (String field : body.propertyNames()) {
            if (!FIELDS.contains(field)) {
                errors.add(new FieldError("/" + field, ErrorCodes.UNKNOWN_FIELD,
                        "Unknown field '" + field + "'; known: " + FIELDS));
            }
        }
        boolean force = false;
        JsonNode forceNode = body.get("force");
        if (forceNode != null) {
            if (forceNode.isBoolean()) {
                force = forceNode.booleanValue();
            }
            else {
                errors.add(new FieldError("/force", ErrorCodes.INVALID_TYPE, "force must be a boolean"));
            }
        }
        int timeout = DEFAULT_GRACEFUL_TIMEOUT_SECONDS;
        JsonNode timeoutNode = body.get("graceful_timeout_seconds");
        if (timeoutNode != null) {
            if (!timeoutNode.isIntegralNumber()) {
                errors.add(new FieldError("/graceful_timeout_seconds", ErrorCodes.INVALID_TYPE,
                        "graceful_timeout_seconds must be an integer"));
            }
            else if (!timeoutNode.canConvertToInt() || timeoutNode.intValue() < MIN_GRACEFUL_TIMEOUT_SECONDS
                    || timeoutNode.intValue() > MAX_GRACEFUL_TIMEOUT_SECONDS) {
                errors.add(new FieldError("/graceful_timeout_seconds", ErrorCodes.OUT_OF_RANGE,
                        "graceful_timeout_seconds must be from " + MIN_GRACEFUL_TIMEOUT_SECONDS + " to "
                                + MAX_GRACEFUL_TIMEOUT_SECONDS));
            }
            else {
                timeout = timeoutNode.intValue();
            }
        }
        if (!errors.isEmpty()) {
            throw rejection(errors);
        }
        return new StopRequest(force, timeout);
    }

    private static ApiException rejection(List<FieldError> errors) {
        String code = errors.stream().anyMatch(e -> ErrorCodes.UNKNOWN_FIELD.equals(e.code()))
                ? ErrorCodes.UNKNOWN_FIELD : "VALIDATION_FAILED";
        return new ApiException(Problem.of(400, "Bad Request", code, errors.get(0).message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more problems, see errors)" : ""))
                .withErrors(errors));
    }
}
