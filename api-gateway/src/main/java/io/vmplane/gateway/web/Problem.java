package io.vmplane.gateway.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An RFC 9457 problem detail as the API writes it ({@code application/problem+json}). {@code code} is stable and
 * UPPER_SNAKE; {@code errors} lists the field problems of a rejected body; {@code extensions} are further top-level
 * members (e.g. {@code vm_id}).
 */
public record Problem(String type, String title, int status, String detail, String code, List<FieldError> errors,
                      Map<String, Object> extensions) {

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public static Problem of(int status, String title, String code, String detail) {
        return new Problem(typeOf(code), title, status, detail, code, List.of(), Map.of());
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, code, fieldErrors, extensions);
    }

    public Problem with(String name, Object value) {
        var more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type, title, status, detail, code, errors, more);
    }

    /** The JSON object, members in the RFC's order, {@code errors} only when there are some. */
    public Map<String, Object> body() {
        var body = new LinkedHashMap<String, Object>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", code);
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        extensions.forEach(body::putIfAbsent);
        return body;
    }

    /** A URN per code: stable, and it needs no web site to resolve. */
    static String typeOf(String code) {
        return "urn:vmplane:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
