package io.vmplane.worker.command;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmCommand.CreateVm;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.Claim;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.kafka.KafkaPublisher;
import io.vmplane.worker.kafka.RejectedRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link CreateVm}: skips it when its generation has ended, fails the VM when its deadline passed,
 * otherwise finds the VM a host (the claim it already holds on a redelivery, else a new placement) and hands it to
 * that host's agent. Safe to run again for the same command: every step is idempotent. Blocking; runs on the
 * listener thread, and returns only when what it published is durable.
 */
public class CreateVmHandler {

    private static final Logger log = LoggerFactory.getLogger(CreateVmHandler.class);

    private final VmStore vms;
    private final CapacityLedger ledger;
    private final HostClaimer claimer;
    private final KafkaPublisher publisher;
    private final String instanceId;
    private final Duration storeTimeout;
    private final Clock clock;

    public CreateVmHandler(VmStore vms, CapacityLedger ledger, HostClaimer claimer, KafkaPublisher publisher,
                           WorkerProperties properties, Clock clock) {
        this.vms = vms;
        this.ledger = ledger;
        this.claimer = claimer;
        this.publisher = publisher;
        this.instanceId = properties.instanceId();
        this.storeTimeout = properties.storeTimeout();
        this.clock = clock;
    }

    public void handle(CreateVm command) {
        String vmId = command.vmId();
        VmRecord vm = vms.get(vmId).block(storeTimeout);
        if (vm == null) {
            // The gateway records every VM before it publishes its command: nobody could see or delete this one.
            throw new RejectedRecordException("VM " + vmId + " is not in the state store");
        }
        if (ended(vm, command.generation())) {
            log.info("Skipping create of {} generation {}: the VM is at generation {}, version {} ({})", vmId,
                    command.generation(), vm.generation(), vm.version(), vm.status().wire());
            return;
        }
        if (!clock.instant().isBefore(command.deadline())) {
            log.info("Create of {} is past its deadline {}", vmId, command.deadline());
            publisher.publish(VmEvent.failed(vmId, command.generation(), null, FailureCode.TIMEOUT,
                    "the command's deadline " + command.deadline() + " passed before the VM was placed",
                    instanceId));
            return;
        }
        Optional<Claim> held = ledger.claimOf(vmId).block(storeTimeout);
        Claim claim;
        if (held != null && held.isPresent()) {
            claim = held.get();
            log.info("VM {} already holds a claim on {}: handing it to that host again", vmId, claim.hostId());
        }
        else {
            HostClaimer.Outcome outcome = claimer.claim(vmId, command.spec());
            if (outcome instanceof HostClaimer.Outcome.NoHost noHost) {
                log.info("No valid host for {}: {}", vmId, noHost.message());
                publisher.publish(VmEvent.failed(vmId, command.generation(), null, FailureCode.NO_VALID_HOST,
                        noHost.message(), instanceId));
                return;
            }
            claim = ((HostClaimer.Outcome.Claimed) outcome).claim();
            VmRecord now = vms.get(vmId).block(storeTimeout);
            if (now != null && ended(now, command.generation())) {
                // The VM ended (e.g. its deadline sweep) while it was being placed: give the capacity back.
                ledger.release(vmId).block(storeTimeout);
                log.info("VM {} ended ({}) while it was placed: released its new claim", vmId, now.status().wire());
                return;
            }
        }
        handOver(command, claim);
    }

    private void handOver(CreateVm command, Claim claim) {
        VmEvent placed = VmEvent.of(command.vmId(), command.generation(), Phase.PLACED, VmStatus.PROVISIONING,
                claim.hostId(), instanceId);
        List<String> pci = claim.pciAddresses();
        var provision = new HostCommand.ProvisionVm(command.commandId(), claim.hostId(), command.vmId(),
                command.generation(), command.spec(), pci, command.deadline());
        publisher.publish(placed, provision);
        log.info("VM {} placed on {}{}", command.vmId(), claim.hostId(), pci.isEmpty() ? "" : " with PCI " + pci);
    }

    /** The VM moved to a later generation, or this generation already reached its final event. */
    static boolean ended(VmRecord vm, long generation) {
        return vm.generation() > generation || vm.version() >= VmEvent.version(generation, Phase.FINAL);
    }
}
