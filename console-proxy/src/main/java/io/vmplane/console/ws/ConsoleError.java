package io.vmplane.console.ws;

/**
 * A refusal before the WebSocket upgrade, as the OpenAPI document's {@code ConsoleError}: a stable code and a message
 * (which never carries the token).
 */
public record ConsoleError(String code, String message) {

    public static final String TOKEN_INVALID = "TOKEN_INVALID";
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    public static final String CONSOLE_BUSY = "CONSOLE_BUSY";
    public static final String CONSOLE_UNAVAILABLE = "CONSOLE_UNAVAILABLE";
    public static final String ORIGIN_DENIED = "ORIGIN_DENIED";

    /** The JSON body (the message is ours, never user input, but is escaped all the same). */
    public String json() {
        return "{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}";
    }
}
