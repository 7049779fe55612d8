package io.vmplane.agent.hypervisor;

/** A hypervisor call failed; the message is libvirt's own. */
public class HypervisorException extends RuntimeException {

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
