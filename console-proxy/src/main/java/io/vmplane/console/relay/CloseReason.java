package io.vmplane.console.relay;

/**
 * Why a relay ended, as the browser sees it: a legal WebSocket close status and a console code (UPPER_SNAKE) as the
 * close frame's reason. The table is in console-proxy/DESIGN.md.
 *
 * @param status the WebSocket close status (1000, 1001, 1008, 1011)
 * @param code   the console code sent as the reason
 */
public record CloseReason(int status, String code) {

    /** The browser closed: nothing is sent back, the upstream is closed. */
    public static final CloseReason CLIENT_CLOSED = new CloseReason(1000, "CLIENT_CLOSED");
    /** The VM's VNC/SPICE server closed its side. */
    public static final CloseReason UPSTREAM_CLOSED = new CloseReason(1000, "UPSTREAM_CLOSED");
    /** No data frame either way for the idle timeout. */
    public static final CloseReason IDLE_TIMEOUT = new CloseReason(1000, "IDLE_TIMEOUT");
    /** The proxy instance is stopping. */
    public static final CloseReason PROXY_SHUTDOWN = new CloseReason(1001, "PROXY_SHUTDOWN");
    /** The VM was stopped or deleted (its consoles revoked). */
    public static final CloseReason REVOKED = new CloseReason(1008, "SESSION_REVOKED");
    /** A newer session of the VM took this one over (busy policy {@code takeover}). */
    public static final CloseReason TAKEN_OVER = new CloseReason(1008, "SESSION_TAKEN_OVER");
    /** A SPICE channel that is not admitted (no live session, wrong connection_id, not a link message). */
    public static final CloseReason CHANNEL_REFUSED = new CloseReason(1008, "TOKEN_INVALID");
    /** A text frame: the console speaks binary frames only. */
    public static final CloseReason NOT_BINARY = new CloseReason(1003, "BINARY_ONLY");
    /** The VM's console port could not be reached. */
    public static final CloseReason UPSTREAM_UNREACHABLE = new CloseReason(1011, "CONSOLE_UNAVAILABLE");
    /** The proxy's VNC authentication at the VM's server failed. */
    public static final CloseReason VNC_AUTH_FAILED = new CloseReason(1011, "VNC_AUTH_FAILED");
    /** Anything else that broke the relay. */
    public static final CloseReason RELAY_ERROR = new CloseReason(1011, "RELAY_ERROR");
}
