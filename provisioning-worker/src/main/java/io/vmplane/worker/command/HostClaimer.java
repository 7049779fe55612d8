package io.vmplane.worker.command;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.CapacityLedger.ClaimResult;
import io.vmplane.store.Claim;
import io.vmplane.store.HostRecord;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.Usage;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.placement.Candidate;
import io.vmplane.worker.placement.HostView;
import io.vmplane.worker.placement.Placement;
import io.vmplane.worker.placement.PlacementDecision;
import io.vmplane.worker.placement.PlacementStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the hosts and their usage, lets {@link Placement} decide, and claims capacity on the first candidate that
 * still has it. Another worker may claim the same capacity between the read and the claim: the ledger's atomic
 * claim then refuses, and the next candidate is tried; when every candidate is lost, the views are read again and
 * placement recomputed, a bounded number of rounds. When no host that is up fits but one that is unreachable or
 * degraded would, placement is tried again for a while ({@code host-wait}) before the VM fails: such a host may only
 * look down to a worker that has not read its latest heartbeat yet.
 */
public class HostClaimer {

    private static final Logger log = LoggerFactory.getLogger(HostClaimer.class);

    private final HostRegistry registry;
    private final CapacityLedger ledger;
    private final PlacementStrategy strategy;
    private final Duration heartbeatTimeout;
    private final double storageOvercommit;
    private final Duration storeTimeout;
    private final int rounds;
    private final Duration hostWait;
    private final Clock clock;

    public HostClaimer(HostRegistry registry, CapacityLedger ledger, WorkerProperties properties, Clock clock) {
        this.registry = registry;
        this.ledger = ledger;
        this.strategy = properties.placementStrategy();
        this.heartbeatTimeout = properties.heartbeatTimeout();
        this.storageOvercommit = properties.storageOvercommit();
        this.storeTimeout = properties.storeTimeout();
        this.rounds = properties.claimRounds();
        this.hostWait = properties.hostWait();
        this.clock = clock;
    }

    /** What a claim attempt ends in: the claim the VM now holds, or why no host can take it. */
    public sealed interface Outcome {

        record Claimed(Claim claim) implements Outcome {
        }

        /** @param hostsMayReturn a host that is not up would take the VM were it up */
        record NoHost(String message, boolean hostsMayReturn) implements Outcome {

            public NoHost(String message) {
                this(message, false);
            }
        }
    }

    static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    public Outcome claim(String vmId, VmSpec spec) {
        long waitUntil = System.nanoTime() + hostWait.toNanos();
        Outcome outcome = claimOnce(vmId, spec);
        while (outcome instanceof Outcome.NoHost noHost && noHost.hostsMayReturn() && System.nanoTime() < waitUntil) {
            log.info("No host that is up can take {}, but one that is not could: placing it again in {} ms", vmId,
                    RETRY_PAUSE.toMillis());
            try {
                Thread.sleep(RETRY_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
            outcome = claimOnce(vmId, spec);
        }
        return outcome;
    }

    private Outcome claimOnce(String vmId, VmSpec spec) {
        List<String> lost = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Map<String, HostView> views = readViews();
            PlacementDecision decision = Placement.decide(spec, List.copyOf(views.values()), strategy);
            if (decision instanceof PlacementDecision.NoValidHost noHost) {
                return new Outcome.NoHost(noHost.message(), wouldFitWereHostsUp(spec, views));
            }
            for (Candidate candidate : ((PlacementDecision.Placed) decision).candidates()) {
                HostView host = views.get(candidate.hostId());
                Claim claim = new Claim(vmId, candidate.hostId(), spec.vcpus(), spec.memory(),
                        candidate.pciAddresses(), spec.bytesPerPool());
                ClaimResult result = ledger.claim(claim, host.vcpuLimit(), host.memoryLimitMib(), host.poolLimits())
                        .block(storeTimeout);
                if (result == ClaimResult.CLAIMED) {
                    return new Outcome.Claimed(claim);
                }
                if (result == ClaimResult.ALREADY_HELD || result == ClaimResult.HELD_ON_OTHER_HOST) {
                    // Another worker placed this very VM meanwhile: its claim is the one that counts.
                    Optional<Claim> held = ledger.claimOf(vmId).block(storeTimeout);
                    if (held != null && held.isPresent()) {
                        return new Outcome.Claimed(held.get());
                    }
                    continue;
                }
                log.info("Claim of {} on {} lost to a concurrent placement: {}", vmId, candidate.hostId(), result);
                lost.add(candidate.hostId() + " " + result);
            }
        }
        return new Outcome.NoHost("no valid host for '" + spec.name() + "': capacity was taken by concurrent "
                + "placements in " + rounds + " rounds (" + String.join("; ", lost) + ")");
    }

    private boolean wouldFitWereHostsUp(VmSpec spec, Map<String, HostView> views) {
        if (views.values().stream().allMatch(v -> v.status() == HostStatus.UP)) {
            return false;
        }
        List<HostView> up = views.values().stream().map(HostView::assumedUp).toList();
        return Placement.decide(spec, up, strategy) instanceof PlacementDecision.Placed;
    }

    private Map<String, HostView> readViews() {
        var now = clock.instant();
        List<HostRecord> hosts = registry.hosts().collectList().block(storeTimeout);
        if (hosts == null) {
            return Map.of();
        }
        var views = new java.util.LinkedHashMap<String, HostView>();
        for (HostRecord host : hosts) {
            Usage usage = ledger.usage(host.id()).defaultIfEmpty(Usage.NONE).block(storeTimeout);
            views.put(host.id(), HostView.of(host, usage, now, heartbeatTimeout, storageOvercommit));
        }
        return views;
    }
}
