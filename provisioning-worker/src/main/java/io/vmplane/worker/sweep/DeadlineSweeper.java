package io.vmplane.worker.sweep;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.worker.command.LifecycleSteps;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.kafka.KafkaPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every {@code sweep-interval}, ends with {@code TIMEOUT} the operation of each active VM whose deadline passed
 * before its generation reached a final event: a create fails the VM, a life-cycle operation keeps its status.
 * Several workers may end the same VM: the store keeps the first final event. It releases nothing itself; a failed
 * event does, through the event consumer. A create not yet overdue goes to the {@link Redriver}, which publishes
 * its ProvisionVm again when it stalled.
 */
public class DeadlineSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeadlineSweeper.class);

    private final VmStore vms;
    private final KafkaPublisher publisher;
    private final Redriver redriver;
    private final String instanceId;
    private final Duration interval;
    private final Duration storeTimeout;
    private final Clock clock;
    private ScheduledExecutorService executor;

    public DeadlineSweeper(VmStore vms, KafkaPublisher publisher, Redriver redriver, WorkerProperties properties,
                           Clock clock) {
        this.vms = vms;
        this.publisher = publisher;
        this.redriver = redriver;
        this.instanceId = properties.instanceId();
        this.interval = properties.sweepInterval();
        this.storeTimeout = properties.storeTimeout();
        this.clock = clock;
    }

    /** Fails the overdue VMs and re-drives the stalled creates, once; returns how many it failed. */
    public int sweep() {
        Instant now = clock.instant();
        List<String> active = vms.activeVmIds().collectList().block(storeTimeout);
        int failed = 0;
        for (String vmId : active == null ? List.<String>of() : active) {
            VmRecord vm = vms.get(vmId).block(storeTimeout);
            if (vm != null && overdue(vm, now)) {
                String message = "the deadline " + vm.deadline() + " passed while the VM was " + vm.status().wire();
                publisher.publish(creating(vm)
                        ? VmEvent.failed(vm.id(), vm.generation(), vm.host(), FailureCode.TIMEOUT, message, instanceId)
                        : new VmEvent(vm.id(), vm.generation(), VmEvent.version(vm.generation(), VmEvent.Phase.FINAL),
                                LifecycleSteps.untouchedStatus(vm.status()), vm.host(), FailureCode.TIMEOUT, message,
                                null, now, instanceId));
                log.info("VM {} failed: deadline {} passed while {}", vm.id(), vm.deadline(), vm.status().wire());
                failed++;
            }
            else if (vm != null && vm.status() == VmStatus.PROVISIONING) {
                redriveSafely(vm, now);
            }
        }
        return failed;
    }

    /**
     * Whether the VM's current operation is its create: only a create that times out fails the VM; a life-cycle
     * operation fails alone and the VM keeps the status it has.
     */
    private boolean creating(VmRecord vm) {
        OperationRecord operation = vm.operationId() == null ? null
                : vms.operation(vm.operationId()).block(storeTimeout);
        return operation == null || "create".equals(operation.kind());
    }

    /** One VM's re-drive failing (Kafka or Redis slow) must not keep the sweep from the other VMs. */
    private void redriveSafely(VmRecord vm, Instant now) {
        try {
            redriver.consider(vm, creating(vm), now);
        }
        catch (RuntimeException e) {
            log.warn("Could not re-drive {}: {}", vm.id(), e.toString());
        }
    }

    static boolean overdue(VmRecord vm, Instant now) {
        return vm.deadline() != null && vm.deadline().isBefore(now)
                && vm.version() < VmEvent.version(vm.generation(), VmEvent.Phase.FINAL);
    }

    private void sweepSafely() {
        try {
            sweep();
        }
        catch (RuntimeException e) {
            // The next sweep tries again; a sweep that throws must not cancel the schedule.
            log.warn("Deadline sweep failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deadline-sweeper");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::sweepSafely, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
