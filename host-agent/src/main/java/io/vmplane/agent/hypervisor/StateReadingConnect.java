package io.vmplane.agent.hypervisor;

import java.util.Optional;

import org.libvirt.Connect;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.virError;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

/**
 * A libvirt-java {@link Connect} that also reads a domain's state <em>with its reason</em>
 * ({@code virDomainGetState}), which libvirt-java 0.5.4 does not offer ({@code Domain.getInfo()} has no reason).
 * It calls libvirt through JNA on this connection's handle, which {@code Connect} leaves to subclasses. Like every
 * libvirt call of the agent, use it on the libvirt thread: libvirt's last error is per thread.
 */
final class StateReadingConnect extends Connect {

    /** {@code VIR_ERR_NO_DOMAIN}. */
    private static final int NO_DOMAIN = 42;

    /** The libvirt functions libvirt-java does not map. */
    private interface StateApi extends Library {

        StateApi INSTANCE = Native.load("virt", StateApi.class);

        DomainPointer virDomainLookupByName(ConnectionPointer connection, String name);

        int virDomainGetState(DomainPointer domain, IntByReference state, IntByReference reason, int flags);

        int virDomainFree(DomainPointer domain);

        int virGetLastErrorCode();

        virError virGetLastError();
    }

    StateReadingConnect(String uri) throws LibvirtException {
        super(uri, false);
    }

    /** The domain's state, or empty when there is no such domain. */
    Optional<DomainStatus> domainStatus(String name) {
        StateApi api = StateApi.INSTANCE;
        DomainPointer domain = api.virDomainLookupByName(vcp, name);
        if (domain == null) {
            if (api.virGetLastErrorCode() == NO_DOMAIN) {
                return Optional.empty();
            }
            throw lastError(api, "cannot look up the domain " + name);
        }
        try {
            IntByReference state = new IntByReference();
            IntByReference reason = new IntByReference();
            if (api.virDomainGetState(domain, state, reason, 0) < 0) {
                throw lastError(api, "cannot read the state of the domain " + name);
            }
            return Optional.of(DomainStatus.of(state.getValue(), reason.getValue()));
        }
        finally {
            api.virDomainFree(domain);
        }
    }

    /** libvirt's last error on this thread, as an exception {@link LibvirtErrors} can classify. */
    private static LibvirtCallException lastError(StateApi api, String what) {
        virError last = api.virGetLastError();
        Error error = last == null ? null : new Error(last);
        return new LibvirtCallException(what + ": " + (error == null ? "unknown error" : error.getMessage()), error);
    }
}
