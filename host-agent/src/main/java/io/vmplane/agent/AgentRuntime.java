package io.vmplane.agent;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.HypervisorException;
import io.vmplane.agent.hypervisor.VirtTypeDecision;
import io.vmplane.agent.kafka.CommandConsumer;
import io.vmplane.agent.kafka.KafkaPublisher;
import io.vmplane.agent.lifecycle.LifecycleHandler;
import io.vmplane.agent.lifecycle.RestartReport;
import io.vmplane.agent.report.InventoryReporter;
import io.vmplane.schemas.host.HostHeartbeat;

/**
 * The agent's moving parts, started in order once the context is ready: wait for the topics, publish the
 * inventory, report the state of the stack's domains ({@link RestartReport}), wait for the domain type decision, start reading commands, then heartbeats, a libvirt probe and
 * periodic inventory checks. Stopped in reverse on shutdown; the beans it uses (the libvirt connection, the
 * producer) are closed after it.
 *
 * <p>Every heartbeat interval the probe makes one cheap libvirt call: it is what opens libvirt's circuit breaker when
 * libvirtd stops while nothing else calls it, and what closes it again (reconnecting) once libvirtd is back. The
 * heartbeat says {@code degraded} while the breaker is not closed; on the way back to {@code up} the inventory is
 * published at once (a new connection has a new boot id).
 */
public final class AgentRuntime implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private final AgentProperties properties;
    private final Hypervisor hypervisor;
    private final KafkaPublisher publisher;
    private final InventoryReporter inventory;
    private final CommandConsumer commands;
    private final KafkaTopicsReady topics;
    private final RestartReport restartReport;
    private final LifecycleHandler lifecycle;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private volatile boolean running;
    private volatile boolean libvirtUp = true;

    public AgentRuntime(AgentProperties properties, Hypervisor hypervisor, KafkaPublisher publisher,
                        InventoryReporter inventory, CommandConsumer commands, KafkaTopicsReady topics,
                        RestartReport restartReport, LifecycleHandler lifecycle, Clock clock) {
        this.properties = properties;
        this.hypervisor = hypervisor;
        this.publisher = publisher;
        this.inventory = inventory;
        this.commands = commands;
        this.topics = topics;
        this.restartReport = restartReport;
        this.lifecycle = lifecycle;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.timers = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "agent-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() {
        topics.hostCommandPartitions();
        inventory.publish();
        List<Hypervisor.StackDomain> domains = restartReport.domains();
        restartReport.publish(domains);
        lifecycle.resumePendingStops(domains);
        // No command before the domain type is known (a KVM probe may still run).
        VirtTypeDecision virtType = hypervisor.virtTypeDecision();
        commands.start();
        long heartbeat = properties.heartbeatInterval().toMillis();
        timers.scheduleAtFixedRate(this::heartbeat, 0, heartbeat, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::watchLibvirt, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long check = properties.inventoryInterval().toMillis();
        timers.scheduleWithFixedDelay(this::refreshInventory, check, check, TimeUnit.MILLISECONDS);
        running = true;
        log.info("Agent {} up: {} via {}, domain type {}", properties.hostId(), hypervisor.kind(),
                properties.libvirtUri(), virtType.type().wire());
    }

    @Override
    public void stop() {
        running = false;
        timers.shutdownNow();
        commands.close();
        log.info("Agent {} stopped", properties.hostId());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** True while commands are read and the hypervisor connection holds. */
    public boolean healthy() {
        return running && commands.polling() && hypervisor.alive();
    }

    private void heartbeat() {
        try {
            var status = hypervisor.alive() ? HostHeartbeat.HostStatus.UP : HostHeartbeat.HostStatus.DEGRADED;
            publisher.heartbeat(new HostHeartbeat(properties.hostId(), status, clock.instant()));
        }
        catch (RuntimeException e) {
            log.warn("Heartbeat of {} not sent: {}", properties.hostId(), e.getMessage());
        }
    }

    private void watchLibvirt() {
        try {
            hypervisor.probe();
        }
        catch (HypervisorException e) {
            log.debug("libvirt probe of {} failed: {}", properties.hostId(), e.getMessage());
        }
        boolean up = hypervisor.alive();
        if (up == libvirtUp) {
            return;
        }
        libvirtUp = up;
        if (!up) {
            log.warn("Host {} degraded: libvirt at {} is unreachable; commands wait for it", properties.hostId(),
                    properties.libvirtUri());
            return;
        }
        log.info("Host {} up again: libvirt at {} answers", properties.hostId(), properties.libvirtUri());
        try {
            inventory.publish();
        }
        catch (RuntimeException e) {
            log.warn("Inventory of {} not published: {}", properties.hostId(), e.getMessage());
        }
    }

    private void refreshInventory() {
        try {
            inventory.refresh();
        }
        catch (RuntimeException e) {
            log.warn("Inventory of {} not refreshed: {}", properties.hostId(), e.getMessage());
        }
    }
}
