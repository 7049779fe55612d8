package io.vmplane.worker.kafka;

/**
 * A readable record that must not be carried out (e.g. a command for a VM the state store has never recorded):
 * retrying cannot help, it goes to the dead letters for people to look at.
 */
public class RejectedRecordException extends RuntimeException {

    public RejectedRecordException(String message) {
        super(message);
    }
}
