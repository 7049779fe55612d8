package io.vmplane.agent.hypervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The domains of a connection, listed in one call ({@code virConnectListAllDomains}: one round trip, where listing
 * running domains by id and looking each one up took one more per domain) and read while their handles are held.
 * Use it on the libvirt thread.
 */
final class DomainListing {

    /** Every domain, running or not, persistent or transient. */
    static final int ALL = 0;
    /** {@code VIR_CONNECT_LIST_DOMAINS_ACTIVE}: the running (and paused) domains. */
    static final int ACTIVE = 1;

    private DomainListing() {
    }

    /**
     * A listed domain.
     *
     * @param name    its name
     * @param key     its UUID and id
     * @param domain  libvirt's handle, valid until the function given the listing returns
     */
    record Listed(String name, HostdevCache.Key key, Domain domain) {
    }

    /** Lists the domains {@code flags} select and applies {@code use} to them; the handles are freed after. */
    static <T> T withDomains(Connect connect, int flags, LibvirtFunction<List<Listed>, T> use)
            throws LibvirtException {
        Domain[] domains = connect.listAllDomains(flags);
        try {
            List<Listed> listed = new ArrayList<>(domains.length);
            for (Domain domain : domains) {
                // Name, UUID and id come from the handle, no round trip: a domain removed meanwhile still answers.
                listed.add(new Listed(domain.getName(), new HostdevCache.Key(domain.getUUIDString(), domain.getID()),
                        domain));
            }
            return use.apply(listed);
        }
        finally {
            for (Domain domain : domains) {
                domain.free();
            }
        }
    }

    /** The names of the domains {@code flags} select. */
    static List<String> names(Connect connect, int flags) throws LibvirtException {
        return withDomains(connect, flags, listed -> listed.stream().map(Listed::name).toList());
    }

    /**
     * {@code read} of a listed domain, or empty when another client undefined it (or a transient one stopped) since
     * the listing.
     */
    static <T> Optional<T> readUnlessVanished(Listed listed, LibvirtFunction<Domain, T> read)
            throws LibvirtException {
        try {
            return Optional.of(read.apply(listed.domain()));
        }
        catch (LibvirtException e) {
            if (LibvirtErrors.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
