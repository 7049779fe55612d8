package io.vmplane.worker.sweep;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.Claim;
import io.vmplane.store.RedriveLog;
import io.vmplane.store.VmRecord;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.kafka.KafkaPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-drives a stalled create ({@link RedrivePolicy}): publishes its {@code ProvisionVm} again to the host of its
 * claim. The agent is idempotent (domain name and uuid from the VM id, volumes named after it), so a second command
 * finds the first one's work and completes it. The re-drive number is recorded in the shared {@link RedriveLog}
 * before publishing; of several workers deciding the same re-drive only the one that recorded it publishes.
 * Blocking; runs on the sweep thread.
 */
public class Redriver {

    private static final Logger log = LoggerFactory.getLogger(Redriver.class);

    /** How long a re-drive record outlives the VM's deadline (it only matters before the deadline). */
    private static final Duration RECORD_MARGIN = Duration.ofHours(1);

    private final RedriveLog redrives;
    private final CapacityLedger ledger;
    private final KafkaPublisher publisher;
    private final RedrivePolicy policy;
    private final Duration storeTimeout;

    public Redriver(RedriveLog redrives, CapacityLedger ledger, KafkaPublisher publisher,
                    WorkerProperties properties) {
        this.redrives = redrives;
        this.ledger = ledger;
        this.publisher = publisher;
        this.policy = new RedrivePolicy(properties.stallAfter(), properties.maxRedrives());
        this.storeTimeout = properties.storeTimeout();
    }

    /**
     * Re-drives the VM if the policy says so.
     *
     * @param creating whether the VM's current operation is its create
     * @return true when this call published a ProvisionVm
     */
    public boolean consider(VmRecord vm, boolean creating, Instant now) {
        if (policy.maxRedrives() == 0 || !creating) {
            return false;
        }
        List<Instant> done = redrives.of(vm.id(), vm.generation(), policy.maxRedrives()).block(storeTimeout);
        if (!(policy.decide(vm, true, done == null ? List.of() : done, now)
                instanceof RedrivePolicy.Redrive redrive)) {
            return false;
        }
        Optional<Claim> claim = ledger.claimOf(vm.id()).block(storeTimeout);
        if (claim == null || claim.isEmpty() || !claim.get().hostId().equals(vm.host())) {
            // No claim on the VM's host: it failed or was released meanwhile; nothing to drive.
            return false;
        }
        Duration ttl = Duration.between(now, vm.deadline()).plus(RECORD_MARGIN);
        Boolean mine = redrives.record(vm.id(), vm.generation(), redrive.number(), now, ttl).block(storeTimeout);
        if (!Boolean.TRUE.equals(mine)) {
            return false;
        }
        var command = new HostCommand.ProvisionVm(vm.operationId() + "-redrive-" + redrive.number(), vm.host(),
                vm.id(), vm.generation(), vm.spec(), claim.get().pciAddresses(), vm.deadline());
        publisher.publish(command);
        log.info("VM {} showed no progress on {} since {}: published its ProvisionVm again (re-drive {} of {})",
                vm.id(), vm.host(), vm.updatedAt(), redrive.number(), policy.maxRedrives());
        return true;
    }
}
