package io.vmplane.gateway.console;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The console-proxy instances, in the order a VM's console tries them: first the VM's own instance, chosen by a
 * stable hash of its id (so every gateway instance picks the same one, and every socket of a session reaches the
 * instance holding it: a SPICE session's channel sockets must), then the others in turn. VMs spread over the
 * instances; a VM moves to the next instance only while its own refuses connections.
 */
final class ProxyTier {

    private final List<URI> proxies;

    ProxyTier(List<URI> proxies) {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("at least one console proxy is needed");
        }
        this.proxies = List.copyOf(proxies);
    }

    /** Every proxy once, starting with the VM's own. */
    List<URI> order(String vmId) {
        // String.hashCode is specified, so the choice is the same in every JVM
        int start = Math.floorMod(vmId.hashCode(), proxies.size());
        List<URI> order = new ArrayList<>(proxies.size());
        for (int i = 0; i < proxies.size(); i++) {
            order.add(proxies.get((start + i) % proxies.size()));
        }
        return order;
    }
}
