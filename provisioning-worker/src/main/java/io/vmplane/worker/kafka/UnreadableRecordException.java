package io.vmplane.worker.kafka;

/** A record that cannot be read (bad JSON, missing fields): retrying cannot help, it goes to the dead letters. */
public class UnreadableRecordException extends RuntimeException {

    public UnreadableRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    public UnreadableRecordException(String message) {
        super(message);
    }
}
