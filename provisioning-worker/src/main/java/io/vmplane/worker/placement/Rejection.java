package io.vmplane.worker.placement;

/** Why one host cannot take a VM: the first filter it failed, with a message for people. */
public record Rejection(String hostId, Reason reason, String detail) {

    public enum Reason {
        /** The host's heartbeat is missing or it reports itself degraded. */
        HOST_NOT_UP,
        /** The host takes only VMs pinned to it. */
        PINNED_ONLY,
        /** The VM is pinned to another host. */
        NOT_PINNED_HOST,
        INSUFFICIENT_VCPUS,
        INSUFFICIENT_MEMORY,
        /** A pool the VM's disks or boot ISO need does not exist on the host. */
        POOL_MISSING,
        /** A pool lacks room for the VM's new volumes. */
        INSUFFICIENT_STORAGE,
        /** The boot ISO is not a volume of the default pool. */
        BOOT_ISO_MISSING,
        /** A requested PCI device is absent, taken, or shares its IOMMU group with a taken device. */
        PCI_DEVICE_UNAVAILABLE
    }

    @Override
    public String toString() {
        return hostId + ": " + detail;
    }
}
