package io.vmplane.schemas.vm;

/**
 * Stable, machine-readable reasons a VM or an operation failed. They travel unchanged from where they arise
 * (worker, agent) to the API's {@code reason} field and {@code error.code}.
 */
public enum FailureCode {
    /** No host passes the filters (capacity, pools, PCI devices, pinning). */
    NO_VALID_HOST,
    /** A pool the VM needs is inactive and could not be started. */
    POOL_INACTIVE,
    /** A pool or volume the VM names does not exist on the chosen host. */
    POOL_NOT_FOUND,
    /** A volume to attach, or the boot ISO, does not exist. */
    VOLUME_NOT_FOUND,
    /** The command's deadline passed before it could be carried out. */
    TIMEOUT,
    /** The host lost the VM (e.g. the agent's libvirt connection, and with it a simulated host, went away). */
    HOST_LOST,
    /** libvirt refused a step; the message carries libvirt's own. */
    LIBVIRT_ERROR,
    /** The command could not be read or applied after bounded retries. */
    INVALID_COMMAND
}
