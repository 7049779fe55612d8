package io.vmplane.agent.hypervisor;

/** Which acceleration a qemu host's domains use: KVM when available ({@code auto}), or forced. */
public enum VirtType {
    AUTO, KVM, QEMU
}
