package io.vmplane.agent.domain;

import java.util.Locale;

/** The libvirt domain type an agent defines: hardware-accelerated, emulated (TCG), or the test driver's own. */
public enum DomainType {
    KVM, QEMU, TEST;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
