package io.vmplane.worker.command;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmCommand;
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
 * Carries out a life-cycle command ({@link VmCommand.StartVm}, {@code StopVm}, {@code RebootVm}, {@code DeleteVm}):
 * skips it when its generation has ended, ends it with {@code TIMEOUT} when its deadline passed, otherwise hands it
 * to the host the VM is on (the store's host, else the host of its claim). A VM on no host is deleted by the worker
 * itself; its claim, if any, is released by the event consumer on {@code deleted}.
 *
 * <p>A life-cycle failure does not fail the VM: its final event carries the VM's status as it is, with a reason,
 * and the store fails the operation. Blocking; runs on the listener thread and returns once what it published is
 * durable, so a redelivery only repeats idempotent steps.
 */
public class LifecycleHandler {

    private static final Logger log = LoggerFactory.getLogger(LifecycleHandler.class);

    private final VmStore vms;
    private final CapacityLedger ledger;
    private final KafkaPublisher publisher;
    private final String instanceId;
    private final Duration storeTimeout;
    private final Clock clock;

    public LifecycleHandler(VmStore vms, CapacityLedger ledger, KafkaPublisher publisher, WorkerProperties properties,
                            Clock clock) {
        this.vms = vms;
        this.ledger = ledger;
        this.publisher = publisher;
        this.instanceId = properties.instanceId();
        this.storeTimeout = properties.storeTimeout();
        this.clock = clock;
    }

    public void handle(VmCommand command) {
        String vmId = command.vmId();
        String kind = LifecycleSteps.kind(command);
        VmRecord vm = vms.get(vmId).block(storeTimeout);
        if (vm == null) {
            throw new RejectedRecordException("VM " + vmId + " is not in the state store");
        }
        if (CreateVmHandler.ended(vm, command.generation())) {
            log.info("Skipping {} of {} generation {}: the VM is at generation {}, version {} ({})", kind, vmId,
                    command.generation(), vm.generation(), vm.version(), vm.status().wire());
            return;
        }
        Optional<String> host = hostOf(vm);
        if (!clock.instant().isBefore(command.deadline())) {
            log.info("The {} of {} is past its deadline {}", kind, vmId, command.deadline());
            publisher.publish(finalEvent(vm, command, host.orElse(null), FailureCode.TIMEOUT,
                    "the command's deadline " + command.deadline() + " passed before the " + kind
                            + " was handed to the VM's host"));
            return;
        }
        if (host.isEmpty()) {
            if (command instanceof VmCommand.DeleteVm) {
                log.info("VM {} is on no host ({}): deleted", vmId, vm.status().wire());
                publisher.publish(VmEvent.of(vmId, command.generation(), Phase.FINAL, VmStatus.DELETED, null,
                        instanceId));
            }
            else {
                log.info("Cannot {} {}: it is on no host ({})", kind, vmId, vm.status().wire());
                publisher.publish(finalEvent(vm, command, null, FailureCode.INVALID_COMMAND,
                        "the VM is on no host: there is nothing to " + kind));
            }
            return;
        }
        VmEvent handedOver = VmEvent.of(vmId, command.generation(), Phase.PLACED,
                LifecycleSteps.handedOverStatus(command, vm.status()), host.get(), instanceId);
        HostCommand hostCommand = LifecycleSteps.hostCommand(command, host.get());
        publisher.publish(handedOver, hostCommand);
        log.info("The {} of {} is handed to host {}", kind, vmId, host.get());
    }

    /** The host in the VM's view, else the host its claim is on (placed, but the placement not yet applied). */
    private Optional<String> hostOf(VmRecord vm) {
        if (vm.host() != null) {
            return Optional.of(vm.host());
        }
        Optional<Claim> claim = ledger.claimOf(vm.id()).block(storeTimeout);
        return claim == null ? Optional.empty() : claim.map(Claim::hostId);
    }

    /** A final event that ends the operation with {@code reason} and leaves the VM's status as it really is. */
    private VmEvent finalEvent(VmRecord vm, VmCommand command, String host, FailureCode reason, String message) {
        return new VmEvent(vm.id(), command.generation(), VmEvent.version(command.generation(), Phase.FINAL),
                LifecycleSteps.untouchedStatus(vm.status()), host, reason, message, null, Instant.now(clock),
                instanceId);
    }
}
