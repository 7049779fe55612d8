package io.vmplane.agent.lifecycle;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.provision.ProvisionHandler;
import io.vmplane.agent.provision.ProvisionHandler.Identity;
import io.vmplane.agent.provision.VmEventSink;
import io.vmplane.schemas.messages.VmEvent;

/**
 * Once, when the agent starts: reports the state each domain of its stack really has where it differs from the one
 * published last ({@link LifecycleRules#observed}), so what changed while no agent watched (a guest that powered itself off, a
 * domain started by hand, a host reboot) reaches the store. Runs before commands are read; a failure is logged and
 * the agent starts anyway.
 */
public final class RestartReport {

    private static final Logger log = LoggerFactory.getLogger(RestartReport.class);

    private final Hypervisor hypervisor;
    private final Identity identity;
    private final Clock clock;
    private final VmEventSink events;

    public RestartReport(Hypervisor hypervisor, Identity identity, Clock clock, VmEventSink events) {
        this.hypervisor = hypervisor;
        this.identity = identity;
        this.clock = clock;
        this.events = events;
    }

    /** Publishes one observed event per reported domain of the stack; answers how many. */
    public int publish() {
        return publish(domains());
    }

    /**
     * The domains of the stack as they are now, read once at start for this report and for what else the agent
     * resumes ({@link LifecycleHandler#resumePendingStops}); none when they cannot be read.
     */
    public List<Hypervisor.StackDomain> domains() {
        try {
            return hypervisor.stackDomains(identity.stackId());
        }
        catch (RuntimeException e) {
            log.warn("Could not read the domains of stack {} on {}: {}", identity.stackId(), identity.hostId(),
                    e.getMessage());
            return List.of();
        }
    }

    /** Publishes one observed event per reported domain among {@code domains}; answers how many. */
    public int publish(List<Hypervisor.StackDomain> domains) {
        try {
            int published = 0;
            for (Hypervisor.StackDomain domain : domains) {
                Optional<VmEvent> event = LifecycleRules.observed(domain, identity.hostId(), identity.source(),
                        clock.instant());
                if (event.isPresent()) {
                    events.publish(event.get());
                    ProvisionHandler.markReported(hypervisor, domain.name(), event.get().generation(),
                            event.get().status());
                    published++;
                }
            }
            log.info("Reported a changed state for {} of the {} domains of stack {} on {}", published,
                    domains.size(), identity.stackId(), identity.hostId());
            return published;
        }
        catch (RuntimeException e) {
            log.warn("Could not report the domains of stack {} on {}: {}", identity.stackId(), identity.hostId(),
                    e.getMessage());
            return 0;
        }
    }
}
