package io.vmplane.agent.hypervisor;

import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.jna.virError;

/** libvirt errors as plain values, the way libvirt hands them to the agent. */
final class LibvirtFailures {

    private LibvirtFailures() {
    }

    static LibvirtCallException error(ErrorNumber code, ErrorDomain domain) {
        virError raw = new virError();
        raw.code = code.ordinal();
        raw.domain = domain.ordinal();
        raw.message = code + " from " + domain;
        return new LibvirtCallException(raw.message, new Error(raw));
    }
}
