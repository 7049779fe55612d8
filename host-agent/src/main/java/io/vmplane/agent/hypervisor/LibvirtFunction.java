package io.vmplane.agent.hypervisor;

import org.libvirt.LibvirtException;

/** A function whose libvirt calls may fail; run it on the libvirt thread. */
@FunctionalInterface
interface LibvirtFunction<A, T> {

    T apply(A argument) throws LibvirtException;
}
