package io.vmplane.agent.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.HypervisorException;
import io.vmplane.agent.hypervisor.HypervisorUnavailableException;
import io.vmplane.agent.hypervisor.LibvirtXml;
import io.vmplane.agent.provision.DomainOwnership;
import io.vmplane.agent.provision.ProvisionHandler;
import io.vmplane.agent.provision.ProvisionHandler.Identity;
import io.vmplane.agent.provision.VmEventSink;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;

/**
 * Carries out {@link HostCommand.StartDomain}, {@code StopDomain}, {@code RebootDomain} and {@code DeleteDomain}
 * on the VM's domain, then reports one final VM event and a fresh inventory. Idempotent: each command aims at a
 * state (running, shut off, gone) and a domain already there counts as done, so a redelivery only reports again.
 *
 * <p>A failure does not fail the VM: the final event carries the status libvirt shows for the domain, with a reason
 * ({@code LIBVIRT_ERROR} and libvirt's message, {@code TIMEOUT}), and the store fails the operation alone.
 *
 * <p>One command at a time (the agent's command thread). A graceful stop whose guest is not off within
 * {@link #QUICK_STOP} is left to a watcher thread of its own ({@code graceful-stops}), which polls the domain, forces it
 * off once the graceful timeout passes, and reports the final event: the host's other commands do not wait up to a
 * minute behind a guest that ignores ACPI. A command for that VM arriving meanwhile either finds its stop under way (a
 * redelivery: nothing more to do) or takes over from it (a later generation). The domain's metadata records the
 * stop while it waits, so an agent that died meanwhile follows it on when it starts again
 * ({@link #resumePendingStops}).
 * Exceptions from the event sink propagate, so the caller does not commit the command and it is carried out again;
 * so does a {@link HypervisorUnavailableException} (libvirtd unreachable), which is never reported as a failure.
 */
public final class LifecycleHandler {

    private static final Logger log = LoggerFactory.getLogger(LifecycleHandler.class);
    private static final Duration POLL = Duration.ofMillis(250);
    /** How long before the deadline a graceful stop gives up, so the forced power-off still reports in time. */
    private static final Duration FORCE_MARGIN = Duration.ofSeconds(5);
    /** How long a graceful stop waits on the command thread before the watcher takes it over. */
    static final Duration QUICK_STOP = Duration.ofSeconds(1);

    /** A graceful stop the watcher follows: the guest has its ACPI request, and is forced off at {@code giveUp}. */
    private record PendingStop(HostCommand.StopDomain command, Instant giveUp) {
    }

    private final Map<String, PendingStop> pendingStops = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "graceful-stops");
        thread.setDaemon(true);
        return thread;
    });

    private final Hypervisor hypervisor;
    private final Identity identity;
    private final Clock clock;
    private final VmEventSink events;
    private final Runnable inventoryChanged;

    public LifecycleHandler(Hypervisor hypervisor, Identity identity, Clock clock, VmEventSink events,
                            Runnable inventoryChanged) {
        this.hypervisor = hypervisor;
        this.identity = identity;
        this.clock = clock;
        this.events = events;
        this.inventoryChanged = inventoryChanged;
        watcher.scheduleWithFixedDelay(this::watchPendingStops, POLL.toMillis(), POLL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops the watcher; the stops it was following stay recorded on their domains for the next agent. */
    public void close() {
        watcher.shutdownNow();
    }

    /** VMs whose graceful stop the watcher follows. */
    int pendingStops() {
        return pendingStops.size();
    }

    /** Handles a life-cycle command; a {@link HostCommand.ProvisionVm} is not one. */
    public void handle(HostCommand command) {
        String what = what(command);
        PendingStop waiting = pendingStops.get(command.vmId());
        if (waiting != null) {
            if (command.generation() == waiting.command().generation()) {
                log.info("The {} of {} (generation {}) is under way: it reports when the guest is off", what,
                        command.vmId(), command.generation());
                return;
            }
            if (pendingStops.remove(command.vmId(), waiting)) {
                log.info("The graceful stop of {} (generation {}) gives way to its {} (generation {})",
                        command.vmId(), waiting.command().generation(), what, command.generation());
                mark(command.vmId(), Optional.empty());
            }
        }
        if (command.deadline() != null && !clock.instant().isBefore(command.deadline())) {
            log.info("Dropping the {} of {} (generation {}): deadline {} passed", what, command.vmId(),
                    command.generation(), command.deadline());
            VmEvent timedOut = outcome(command, FailureCode.TIMEOUT, "the deadline " + command.deadline()
                    + " passed before host " + identity.hostId() + " could " + what + " the VM");
            events.publish(timedOut);
            if (timedOut.status() != VmStatus.DELETED) {
                ProvisionHandler.markReported(hypervisor, command.vmId(), command.generation(), timedOut.status());
            }
            return;
        }
        ProvisionHandler.requireAvailable(hypervisor, identity);
        VmEvent outcome;
        Optional<String> foreign = Optional.empty();
        try {
            foreign = hypervisor.domain(command.vmId()).isPresent()
                    ? DomainOwnership.foreign(hypervisor, command.vmId(), identity.stackId(), identity.hostId())
                    : Optional.empty();
            outcome = foreign.isPresent() ? notOurs(command, foreign.get()) : carryOut(command);
            if (outcome == null) {
                return; // a graceful stop the watcher now follows: it reports
            }
        }
        catch (HypervisorException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof HypervisorUnavailableException) {
                throw e;
            }
            log.warn("The {} of {} failed: {}", what, command.vmId(), e.getMessage());
            outcome = outcome(command, FailureCode.LIBVIRT_ERROR, e.getMessage());
        }
        events.publish(outcome);
        if (outcome.status() != VmStatus.DELETED && foreign.isEmpty()) {
            ProvisionHandler.markReported(hypervisor, command.vmId(), command.generation(), outcome.status());
        }
        inventoryChanged.run();
    }

    /**
     * The outcome of a command whose domain is another stack's: a delete deletes the VM without touching the domain
     * or any volume; anything else fails.
     */
    private VmEvent notOurs(HostCommand command, String why) {
        log.warn("The {} of {}: {}", what(command), command.vmId(), why);
        if (command instanceof HostCommand.DeleteDomain delete) {
            return event(delete, VmStatus.DELETED, null, null, null);
        }
        return failed(command, VmStatus.FAILED, FailureCode.LIBVIRT_ERROR, why);
    }

    private VmEvent carryOut(HostCommand command) {
        String vmId = command.vmId();
        if (command instanceof HostCommand.DeleteDomain delete) {
            return delete(delete);
        }
        Optional<DomainStatus> domain = hypervisor.domain(vmId);
        if (domain.isEmpty()) {
            return lost(command);
        }
        if (command instanceof HostCommand.StartDomain) {
            if (!domain.get().active()) {
                hypervisor.startDomain(vmId);
                log.info("Started {}", vmId);
            }
            return running(command);
        }
        if (command instanceof HostCommand.StopDomain stop) {
            if (domain.get().active() && !stop(stop)) {
                return null;
            }
            return reported(command, VmStatus.STOPPED);
        }
        if (command instanceof HostCommand.RebootDomain) {
            if (domain.get().active()) {
                reboot(vmId);
            }
            else {
                hypervisor.startDomain(vmId);
                log.info("Started {} (it was shut off when its reboot came)", vmId);
            }
            return running(command);
        }
        throw new IllegalArgumentException("not a life-cycle command: " + command.getClass().getSimpleName());
    }

    /**
     * ACPI shutdown, then up to {@link #QUICK_STOP} for the guest on this thread; a guest still running is left to the
     * watcher until the graceful timeout (no later than 5 s before the deadline), then forced off. Answers true when
     * the domain is off now, false when the watcher follows it.
     */
    private boolean stop(HostCommand.StopDomain stop) {
        String vmId = stop.vmId();
        if (!stop.force()) {
            Instant giveUp = clock.instant().plusSeconds(Math.max(0, stop.gracefulTimeoutSeconds()));
            if (stop.deadline() != null && stop.deadline().minus(FORCE_MARGIN).isBefore(giveUp)) {
                // Leave time to force the domain off and report before the deadline: past it, the workers' sweep
                // ends the operation itself and the store keeps the first final event.
                giveUp = stop.deadline().minus(FORCE_MARGIN);
            }
            try {
                hypervisor.shutdownDomain(vmId);
                Instant quick = clock.instant().plus(QUICK_STOP);
                if (awaitShutOff(vmId, giveUp.isBefore(quick) ? giveUp : quick)) {
                    log.info("{} shut down within {} s", vmId, stop.gracefulTimeoutSeconds());
                    return true;
                }
                if (clock.instant().isBefore(giveUp)) {
                    pendingStops.put(vmId, new PendingStop(stop, giveUp));
                    mark(vmId, Optional.of(new LibvirtXml.StoppingMark(stop.generation(), stop.commandId(),
                            stop.gracefulTimeoutSeconds(), giveUp, stop.deadline())));
                    log.info("{} is shutting down: waiting up to {} s for it off the command thread", vmId,
                            stop.gracefulTimeoutSeconds());
                    return false;
                }
                log.info("{} still runs at the end of its graceful time ({}; asked for {} s): forcing it off",
                        vmId, giveUp, stop.gracefulTimeoutSeconds());
            }
            catch (HypervisorException e) {
                if (Thread.currentThread().isInterrupted() || e instanceof HypervisorUnavailableException) {
                    throw e;
                }
                log.info("ACPI shutdown of {} refused ({}): forcing it off", vmId, e.getMessage());
            }
        }
        hypervisor.destroyDomain(vmId);
        log.info("Forced {} off", vmId);
        return true;
    }

    /**
     * One round of the watcher: each followed stop whose guest is off, or whose graceful time is over (the guest is
     * then forced off), is reported. A stop a newer command took over meanwhile is dropped; one whose report fails
     * (libvirtd or Kafka unreachable) is followed on.
     */
    private void watchPendingStops() {
        for (PendingStop stop : List.copyOf(pendingStops.values())) {
            String vmId = stop.command().vmId();
            try {
                Optional<DomainStatus> domain = hypervisor.domain(vmId);
                boolean off = domain.isEmpty() || !domain.get().active();
                if (!off && clock.instant().isBefore(stop.giveUp()) || pendingStops.get(vmId) != stop) {
                    continue;
                }
                if (!off) {
                    log.info("{} still runs at the end of its graceful time ({}; asked for {} s): forcing it off",
                            vmId, stop.giveUp(), stop.command().gracefulTimeoutSeconds());
                    hypervisor.destroyDomain(vmId);
                }
                else {
                    log.info("{} shut down within {} s", vmId, stop.command().gracefulTimeoutSeconds());
                }
                if (!pendingStops.remove(vmId, stop)) {
                    continue; // a newer command took over: its own report counts
                }
                try {
                    report(stop.command(), domain.isEmpty());
                }
                catch (RuntimeException e) {
                    pendingStops.putIfAbsent(vmId, stop);
                    throw e;
                }
            }
            catch (RuntimeException e) {
                log.warn("The stop of {} is not reported yet, trying again: {}", vmId, e.getMessage());
            }
        }
    }

    /** The final event of a stop the watcher followed, once the guest is off (or its domain gone). */
    private void report(HostCommand.StopDomain stop, boolean gone) {
        String vmId = stop.vmId();
        VmEvent outcome;
        try {
            outcome = gone ? lost(stop) : reported(stop, VmStatus.STOPPED);
        }
        catch (HypervisorException e) {
            if (e instanceof HypervisorUnavailableException) {
                throw e;
            }
            outcome = outcome(stop, FailureCode.LIBVIRT_ERROR, e.getMessage());
        }
        events.publish(outcome);
        if (!gone) {
            ProvisionHandler.markReported(hypervisor, vmId, stop.generation(), outcome.status());
            mark(vmId, Optional.empty());
        }
        inventoryChanged.run();
    }

    /**
     * Follows on the graceful stops the stack's {@code domains} record (an agent that stopped or died while it
     * waited): each is reported once its guest is off, or forced off at its recorded give-up time. Runs once at start,
     * before commands are read; answers how many it follows.
     */
    public int resumePendingStops(List<Hypervisor.StackDomain> domains) {
        int resumed = 0;
        try {
            for (Hypervisor.StackDomain domain : domains) {
                Optional<LibvirtXml.StoppingMark> mark = LibvirtXml.stoppingMark(domain.xml());
                if (mark.isEmpty()) {
                    continue;
                }
                LibvirtXml.StoppingMark m = mark.get();
                var stop = new HostCommand.StopDomain(m.commandId(), identity.hostId(), domain.name(), m.generation(),
                        m.gracefulTimeoutSeconds(), false, m.deadline());
                if (pendingStops.putIfAbsent(domain.name(), new PendingStop(stop, m.giveUp())) == null) {
                    log.info("Following on the graceful stop of {} (generation {}) an earlier agent began: forced off "
                            + "at {} unless its guest is off before", domain.name(), m.generation(), m.giveUp());
                    resumed++;
                }
            }
        }
        catch (RuntimeException e) {
            log.warn("Could not read the graceful stops the domains of stack {} record: {}", identity.stackId(),
                    e.getMessage());
        }
        return resumed;
    }

    /** Records or removes the domain's graceful-stop mark; a failure is logged (the stop goes on regardless). */
    private void mark(String vmId, Optional<LibvirtXml.StoppingMark> mark) {
        try {
            hypervisor.markStopping(vmId, mark);
        }
        catch (HypervisorException e) {
            log.warn("Could not {} the graceful-stop mark of {}: {}", mark.isPresent() ? "record" : "remove", vmId,
                    e.getMessage());
        }
    }

    private boolean awaitShutOff(String vmId, Instant giveUp) {
        while (true) {
            Optional<DomainStatus> domain = hypervisor.domain(vmId);
            if (domain.isEmpty() || !domain.get().active()) {
                return true;
            }
            if (!clock.instant().isBefore(giveUp)) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HypervisorException("interrupted while waiting for " + vmId + " to shut down", e);
            }
        }
    }

    /** The guest's own reboot; a reset when the hypervisor refuses that; a power cycle when it refuses both. */
    private void reboot(String vmId) {
        try {
            hypervisor.rebootDomain(vmId);
            log.info("Rebooted {}", vmId);
            return;
        }
        catch (HypervisorUnavailableException e) {
            throw e;
        }
        catch (HypervisorException e) {
            log.info("Reboot of {} refused ({}): resetting it", vmId, e.getMessage());
        }
        try {
            hypervisor.resetDomain(vmId);
            log.info("Reset {}", vmId);
            return;
        }
        catch (HypervisorUnavailableException e) {
            throw e;
        }
        catch (HypervisorException e) {
            log.info("Reset of {} refused ({}): powering it off and on", vmId, e.getMessage());
        }
        hypervisor.destroyDomain(vmId);
        hypervisor.startDomain(vmId);
        log.info("Power-cycled {}", vmId);
    }

    private VmEvent delete(HostCommand.DeleteDomain delete) {
        String vmId = delete.vmId();
        hypervisor.removeDomain(vmId);
        if (delete.deleteVolumes()) {
            List<VolumeRef> own = LifecycleRules.createdVolumes(vmId, hypervisor.volumes());
            for (VolumeRef volume : own) {
                hypervisor.deleteVolume(volume.pool(), volume.volume());
            }
            log.info("Deleted {} and its volumes {}", vmId, own);
        }
        else {
            log.info("Deleted {} (volumes kept)", vmId);
        }
        return event(delete, VmStatus.DELETED, null, null, null);
    }

    /** The final event of a command whose domain the host does not have. */
    private VmEvent lost(HostCommand command) {
        return failed(command, VmStatus.FAILED, FailureCode.HOST_LOST,
                "host " + identity.hostId() + " has no domain " + command.vmId());
    }

    /** Final {@code running} with the live XML, unless libvirt shows the domain not running after all. */
    private VmEvent running(HostCommand command) {
        Hypervisor.LiveDomain live = hypervisor.liveDomain(command.vmId());
        if (live.status().failedToRun()) {
            return failed(command, LifecycleRules.vmStatus(Optional.of(live.status())), FailureCode.LIBVIRT_ERROR,
                    "the domain " + command.vmId() + " on host " + identity.hostId() + " is " + live.status()
                            + " instead of running (libvirt's log of the domain says why)");
        }
        return event(command, VmStatus.RUNNING, null, null, live.xml());
    }

    /** Final {@code expected} with the domain's XML, or the status libvirt shows if it is not that. */
    private VmEvent reported(HostCommand command, VmStatus expected) {
        Hypervisor.LiveDomain live = hypervisor.liveDomain(command.vmId());
        VmStatus actual = LifecycleRules.vmStatus(Optional.of(live.status()));
        if (actual != expected) {
            return failed(command, actual, FailureCode.LIBVIRT_ERROR, "the domain " + command.vmId() + " on host "
                    + identity.hostId() + " is " + live.status() + " instead of " + expected.wire());
        }
        return event(command, expected, null, null, live.xml());
    }

    /** A final event with the status the domain really has now, and a reason. */
    private VmEvent outcome(HostCommand command, FailureCode reason, String message) {
        VmStatus actual;
        try {
            actual = LifecycleRules.vmStatus(hypervisor.domain(command.vmId()));
        }
        catch (HypervisorException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof HypervisorUnavailableException) {
                throw e;
            }
            // The domain cannot even be read: the host cannot tell what the VM is.
            return failed(command, VmStatus.FAILED, reason, message + "; its state cannot be read: " + e.getMessage());
        }
        return failed(command, actual, reason, message);
    }

    private VmEvent failed(HostCommand command, VmStatus status, FailureCode reason, String message) {
        log.warn("The {} of {} ends with {} ({}): {}", what(command), command.vmId(), status.wire(), reason, message);
        return event(command, status, reason, message, null);
    }

    private VmEvent event(HostCommand command, VmStatus status, FailureCode reason, String message, String xml) {
        return new VmEvent(command.vmId(), command.generation(),
                VmEvent.version(command.generation(), VmEvent.Phase.FINAL), status, identity.hostId(), reason,
                message, xml, clock.instant(), identity.source());
    }

    private static String what(HostCommand command) {
        if (command instanceof HostCommand.StartDomain) {
            return "start";
        }
        if (command instanceof HostCommand.StopDomain) {
            return "stop";
        }
        if (command instanceof HostCommand.RebootDomain) {
            return "reboot";
        }
        if (command instanceof HostCommand.DeleteDomain) {
            return "delete";
        }
        return "provision";
    }
}
