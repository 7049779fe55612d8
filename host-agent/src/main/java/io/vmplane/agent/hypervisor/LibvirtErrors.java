package io.vmplane.agent.hypervisor;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * Which libvirt errors are worth another try (pure). Only the failures of the link to libvirtd are: the daemon is
 * gone, restarting, or the socket broke mid-call; and a domain's job lock that is busy for a while. Everything else
 * (a domain that already exists, invalid XML, a missing pool, a refused operation) is the answer of a working
 * libvirtd and would fail again the same way.
 */
public final class LibvirtErrors {

    /** What an error says about libvirt. */
    public enum Kind {
        /** The connection to libvirtd failed: retried, counted by the circuit breaker, and the agent reconnects. */
        CONNECTION,
        /** libvirtd answered that it is busy ({@code cannot acquire state change lock}): retried only. */
        BUSY,
        /** libvirtd's definite answer: never retried, and proof that libvirtd works. */
        PERMANENT
    }

    /** Codes that mean the connection itself is unusable, whatever subsystem reported them. */
    private static final Set<ErrorNumber> CONNECTION_CODES = EnumSet.of(ErrorNumber.VIR_ERR_NO_CONNECT,
            ErrorNumber.VIR_ERR_INVALID_CONN, ErrorNumber.VIR_ERR_RPC, ErrorNumber.VIR_ERR_NO_SERVER,
            ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE);
    /**
     * Generic codes that mean a broken connection when the RPC layer or the remote driver raised them ("End of file
     * while reading data", "Cannot write data: Broken pipe", "client socket is closed", "Failed to connect socket").
     */
    private static final Set<ErrorNumber> TRANSPORT_CODES = EnumSet.of(ErrorNumber.VIR_ERR_SYSTEM_ERROR,
            ErrorNumber.VIR_ERR_INTERNAL_ERROR);
    private static final Set<ErrorDomain> TRANSPORT_DOMAINS = EnumSet.of(ErrorDomain.VIR_FROM_RPC,
            ErrorDomain.VIR_FROM_REMOTE);

    private LibvirtErrors() {
    }

    /** The kind of the error libvirt reported with this code, raised by this part of libvirt. */
    public static Kind classify(ErrorNumber code, ErrorDomain domain) {
        if (code == null) {
            return Kind.PERMANENT;
        }
        if (CONNECTION_CODES.contains(code)) {
            return Kind.CONNECTION;
        }
        if (TRANSPORT_CODES.contains(code) && domain != null && TRANSPORT_DOMAINS.contains(domain)) {
            return Kind.CONNECTION;
        }
        if (code == ErrorNumber.VIR_ERR_OPERATION_TIMEOUT) {
            return Kind.BUSY;
        }
        return Kind.PERMANENT;
    }

    /** The kind of a failure thrown by a libvirt call: {@link Kind#PERMANENT} unless libvirt's error says otherwise. */
    public static Kind classify(Throwable failure) {
        return error(failure).map(e -> classify(e.getCode(), e.getDomain())).orElse(Kind.PERMANENT);
    }

    /** libvirt's error code of a failed call, or null when it carries none. */
    static ErrorNumber code(LibvirtException e) {
        return e.getError() == null ? null : e.getError().getCode();
    }

    /** libvirt's error behind a failure, if it carries one. */
    static Optional<Error> error(Throwable failure) {
        if (failure instanceof LibvirtException e) {
            return Optional.ofNullable(e.getError());
        }
        if (failure instanceof LibvirtCallException e) {
            return Optional.ofNullable(e.error());
        }
        return Optional.empty();
    }
}
