package io.vmplane.agent.report;

import java.time.Clock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.agent.hypervisor.HostFacts;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.schemas.host.HostInventory;

/**
 * Reads the host's inventory from the hypervisor and publishes it: always when asked to ({@link #publish()}, at
 * start and after each command), and on a periodic {@link #refresh()} only when it differs from the last one sent.
 * A publish reads again only what changed since the last read ({@link Hypervisor.Reread#CHANGED}: its cost does not
 * grow with the host's domains); a refresh reads everything, so what another libvirt client changed unseen reaches
 * the inventory within one refresh interval. Thread-safe.
 */
public final class InventoryReporter {

    private static final Logger log = LoggerFactory.getLogger(InventoryReporter.class);

    private final Hypervisor hypervisor;
    private final HostDescription host;
    private final Clock clock;
    private final Consumer<HostInventory> sink;
    private HostFacts lastSent;

    public InventoryReporter(Hypervisor hypervisor, HostDescription host, Clock clock, Consumer<HostInventory> sink) {
        this.hypervisor = hypervisor;
        this.host = host;
        this.clock = clock;
        this.sink = sink;
    }

    public synchronized void publish() {
        send(hypervisor.facts());
    }

    public synchronized void refresh() {
        HostFacts facts = hypervisor.facts(Hypervisor.Reread.ALL);
        if (!facts.equals(lastSent)) {
            send(facts);
        }
    }

    private void send(HostFacts facts) {
        sink.accept(new HostInventory(host.hostId(), hypervisor.kind(), host.consoleAddress(), host.pinnedOnly(),
                facts.vcpus(), facts.memoryMib(), facts.pools(), facts.pciDevices(), clock.instant(),
                hypervisor.bootId(), facts.domains()));
        lastSent = facts;
        log.debug("Published the inventory of {}", host.hostId());
    }

    /** The parts of an inventory that come from configuration, not from the hypervisor. */
    public record HostDescription(String hostId, String consoleAddress, boolean pinnedOnly) {
    }
}
