package io.vmplane.agent.hypervisor;

import org.libvirt.Error;

/**
 * A libvirt call made through JNA outside libvirt-java (whose {@code LibvirtException} cannot be made here) failed,
 * with libvirt's error, so {@link LibvirtErrors} can classify it like any other.
 */
final class LibvirtCallException extends HypervisorException {

    private final transient Error error;

    LibvirtCallException(String message, Error error) {
        super(message, null);
        this.error = error;
    }

    Error error() {
        return error;
    }
}
