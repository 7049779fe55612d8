package io.vmplane.agent.hypervisor;

/**
 * The hypervisor could not be asked at all: its connection failed (after the retries), a call ran out of time, or
 * the circuit breaker is open because libvirtd is down. Nothing is known about the outcome of the request, so a
 * command that meets this is not done: it is carried out again once libvirt is back.
 */
public class HypervisorUnavailableException extends HypervisorException {

    public HypervisorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
