package io.vmplane.console.relay;

/** Ends a relay with a given close reason (thrown by a stream filter that refuses what it reads). */
public final class RelayClosedException extends RuntimeException {

    private final transient CloseReason reason;

    public RelayClosedException(CloseReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public CloseReason reason() {
        return reason;
    }
}
