package io.vmplane.gateway.console;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The console-proxy instances, taken in turn: each call starts one further along the list and wraps around. */
final class ProxyTier {

    private final List<URI> proxies;
    private final AtomicInteger next = new AtomicInteger();

    ProxyTier(List<URI> proxies) {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("at least one console proxy is needed");
        }
        this.proxies = List.copyOf(proxies);
    }

    /** Every proxy once, starting with the next in turn. */
    List<URI> order() {
        int start = Math.floorMod(next.getAndIncrement(), proxies.size());
        List<URI> order = new ArrayList<>(proxies.size());
        for (int i = 0; i < proxies.size(); i++) {
            order.add(proxies.get((start + i) % proxies.size()));
        }
        return order;
    }
}
