package io.vmplane.agent.provision;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.agent.domain.DomainContext;
import io.vmplane.agent.domain.DomainXml;
import io.vmplane.agent.domain.PciAddress;
import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.HypervisorException;
import io.vmplane.agent.hypervisor.HypervisorUnavailableException;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;

/**
 * Carries out {@link HostCommand.ProvisionVm}: volumes, domain definition, start, then a final VM event. Idempotent:
 * the domain and volume names derive from the VM id, so a redelivered command finds the work done before and
 * creates nothing twice. On failure it removes what its own attempt created, and only that.
 *
 * <p>Not thread-safe: one command at a time (the agent's command thread). Exceptions from the event sink propagate,
 * so the caller does not commit the command and it is carried out again. So does a
 * {@link HypervisorUnavailableException} (libvirtd unreachable): nothing is reported and nothing undone, and the
 * command, read again, continues the work once libvirt is back, or ends with {@code TIMEOUT} once its deadline
 * passed.
 */
public final class ProvisionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProvisionHandler.class);
    private static final long GIB = 1L << 30;

    private final Hypervisor hypervisor;
    private final Identity identity;
    private final Clock clock;
    private final VmEventSink events;
    private final Runnable inventoryChanged;

    /**
     * @param identity          who this agent is and how it tags domains
     * @param inventoryChanged  called after every command that touched the host
     */
    public ProvisionHandler(Hypervisor hypervisor, Identity identity, Clock clock, VmEventSink events,
                            Runnable inventoryChanged) {
        this.hypervisor = hypervisor;
        this.identity = identity;
        this.clock = clock;
        this.events = events;
        this.inventoryChanged = inventoryChanged;
    }

    public void handle(HostCommand.ProvisionVm command) {
        String vmId = command.vmId();
        if (command.deadline() != null && !clock.instant().isBefore(command.deadline())) {
            log.info("Dropping provision of {} (generation {}): deadline {} passed", vmId, command.generation(),
                    command.deadline());
            events.publish(VmEvent.failed(vmId, command.generation(), identity.hostId(), FailureCode.TIMEOUT,
                    "the deadline " + command.deadline() + " passed before host " + identity.hostId()
                            + " could provision the VM", identity.source()));
            return;
        }
        requireAvailable(hypervisor, identity);
        events.publish(VmEvent.of(vmId, command.generation(), VmEvent.Phase.EXECUTING, VmStatus.PROVISIONING,
                identity.hostId(), identity.source()));
        Attempt attempt = new Attempt();
        VmEvent outcome;
        try {
            String liveXml = provision(command, attempt);
            log.info("Provisioned {} on {}", vmId, identity.hostId());
            outcome = VmEvent.of(vmId, command.generation(), VmEvent.Phase.FINAL, VmStatus.RUNNING,
                    identity.hostId(), identity.source()).withDomainXml(liveXml);
        }
        catch (ProvisionFailure e) {
            outcome = failed(command, attempt, e.code(), e.getMessage());
        }
        catch (HypervisorException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof HypervisorUnavailableException) {
                throw e;
            }
            outcome = failed(command, attempt, FailureCode.LIBVIRT_ERROR, e.getMessage());
        }
        catch (IllegalArgumentException e) {
            outcome = failed(command, attempt, FailureCode.INVALID_COMMAND, e.getMessage());
        }
        events.publish(outcome);
        if (outcome.status() == VmStatus.RUNNING) {
            markReported(hypervisor, vmId, command.generation(), VmStatus.RUNNING);
        }
        inventoryChanged.run();
    }

    /**
     * Records on the domain the status just published in this generation, for a restarted agent's report
     * ({@code RestartReport}); a failure only makes that report skip the domain or compare with an older status.
     */
    public static void markReported(Hypervisor hypervisor, String vmId, long generation, VmStatus status) {
        try {
            hypervisor.markReported(vmId, generation, status);
        }
        catch (HypervisorException e) {
            log.warn("Could not record generation {} as reported on the domain {}: {}", generation, vmId,
                    e.getMessage());
        }
    }

    private String provision(HostCommand.ProvisionVm command, Attempt attempt) {
        String vmId = command.vmId();
        VmSpec spec = command.spec();
        var existing = hypervisor.domain(vmId);
        if (existing.isPresent()) {
            // A redelivery, or a retry after a crash: the domain is ours, whatever got us here, if it has our tag.
            var foreign = DomainOwnership.foreign(hypervisor, vmId, identity.stackId(), identity.hostId());
            if (foreign.isPresent()) {
                throw new ProvisionFailure(FailureCode.LIBVIRT_ERROR, foreign.get());
            }
            if (!existing.get().active()) {
                hypervisor.startDomain(vmId);
            }
            return runningDomainXml(vmId);
        }
        StorageSpec storage = spec.storage();
        spec.pools().forEach(this::ensureActive);
        VolumeRef bootIso = null;
        if (storage.bootIso() != null) {
            bootIso = new VolumeRef(storage.defaultPool(), storage.bootIso());
            requireVolume(bootIso, "boot ISO");
        }
        List<VolumeRef> sources = new ArrayList<>();
        for (int i = 0; i < storage.disks().size(); i++) {
            DiskSpec disk = storage.disks().get(i);
            if (disk.action() == DiskSpec.Action.ATTACH) {
                VolumeRef volume = new VolumeRef(disk.pool(), disk.volume());
                requireVolume(volume, "volume to attach");
                sources.add(volume);
            }
            else {
                sources.add(new VolumeRef(disk.pool(), VmIds.volumeName(vmId, i, disk.format())));
            }
        }
        for (String address : command.pciAddresses()) {
            if (!hypervisor.pciDeviceExists(PciAddress.parse(address))) {
                throw new ProvisionFailure(FailureCode.LIBVIRT_ERROR,
                        "host " + identity.hostId() + " has no PCI device " + address);
            }
        }
        for (int i = 0; i < storage.disks().size(); i++) {
            DiskSpec disk = storage.disks().get(i);
            VolumeRef volume = sources.get(i);
            if (disk.action() == DiskSpec.Action.CREATE && !hypervisor.volumeExists(volume.pool(), volume.volume())) {
                hypervisor.createVolume(volume.pool(), volume.volume(), disk.size() * GIB, disk.format());
                attempt.volumes.add(volume);
            }
        }
        String listen = spec.graphics().listen() != null ? spec.graphics().listen() : identity.graphicsListen();
        DomainContext context = new DomainContext(identity.stackId(), hypervisor.domainType(),
                hypervisor.emulator().orElse(null), sources, bootIso, command.pciAddresses(), listen);
        hypervisor.defineDomain(DomainXml.render(vmId, spec, context));
        attempt.domainDefined = true;
        hypervisor.startDomain(vmId);
        return runningDomainXml(vmId);
    }

    /**
     * The live XML of a domain just started, unless libvirt already reports it stopped (a KVM emulation failure,
     * for one, pauses the guest): then the VM failed, whatever the start call said.
     */
    private String runningDomainXml(String vmId) {
        Hypervisor.LiveDomain live = hypervisor.liveDomain(vmId);
        if (live.status().failedToRun()) {
            throw new ProvisionFailure(FailureCode.LIBVIRT_ERROR, "the domain " + vmId + " on host "
                    + identity.hostId() + " is " + live.status() + " instead of running (libvirt's log of the domain "
                    + "says why)");
        }
        return live.xml();
    }

    private void ensureActive(String pool) {
        switch (hypervisor.poolState(pool)) {
            case MISSING -> throw new ProvisionFailure(FailureCode.POOL_NOT_FOUND,
                    "host " + identity.hostId() + " has no storage pool '" + pool + "'");
            case INACTIVE -> {
                try {
                    hypervisor.startPool(pool);
                }
                catch (HypervisorUnavailableException e) {
                    throw e;
                }
                catch (HypervisorException e) {
                    throw new ProvisionFailure(FailureCode.POOL_INACTIVE,
                            "storage pool '" + pool + "' is inactive and could not be started: " + e.getMessage());
                }
            }
            case ACTIVE -> {
            }
        }
    }

    private void requireVolume(VolumeRef volume, String what) {
        if (!hypervisor.volumeExists(volume.pool(), volume.volume())) {
            throw new ProvisionFailure(FailureCode.VOLUME_NOT_FOUND,
                    "the " + what + " '" + volume.volume() + "' is not in storage pool '" + volume.pool() + "'");
        }
    }

    /**
     * Refuses a command at once, before anything is published, while libvirt is unreachable: the command is read
     * again after a pause instead of failing.
     */
    public static void requireAvailable(Hypervisor hypervisor, Identity identity) {
        if (!hypervisor.alive()) {
            throw new HypervisorUnavailableException("libvirt on host " + identity.hostId()
                    + " is unreachable: the command waits for it", null);
        }
    }

    private VmEvent failed(HostCommand.ProvisionVm command, Attempt attempt, FailureCode code, String message) {
        log.warn("Provisioning {} failed with {}: {}", command.vmId(), code, message);
        undo(command.vmId(), attempt);
        return VmEvent.failed(command.vmId(), command.generation(), identity.hostId(), code, message,
                identity.source());
    }

    /** Removes what this attempt created, newest first; a step that fails is logged and the rest still runs. */
    private void undo(String vmId, Attempt attempt) {
        if (attempt.domainDefined) {
            try {
                hypervisor.removeDomain(vmId);
            }
            catch (HypervisorException e) {
                log.warn("Could not remove the domain {} after a failed provision: {}", vmId, e.getMessage());
            }
        }
        for (int i = attempt.volumes.size() - 1; i >= 0; i--) {
            VolumeRef volume = attempt.volumes.get(i);
            try {
                hypervisor.deleteVolume(volume.pool(), volume.volume());
            }
            catch (HypervisorException e) {
                log.warn("Could not delete the volume {} after a failed provision: {}", volume, e.getMessage());
            }
        }
    }

    /** What one attempt created, so a failure removes exactly that. */
    private static final class Attempt {
        private final List<VolumeRef> volumes = new ArrayList<>();
        private boolean domainDefined;
    }

    /**
     * @param hostId          this agent's host
     * @param stackId         the tag written into every domain's metadata
     * @param graphicsListen  where VNC/SPICE listens unless the spec says otherwise
     */
    public record Identity(String hostId, String stackId, String graphicsListen) {

        public String source() {
            return "agent:" + hostId;
        }
    }
}
