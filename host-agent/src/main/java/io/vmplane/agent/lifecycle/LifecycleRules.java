package io.vmplane.agent.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.Hypervisor.StackDomain;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;

/** The pure decisions of the life-cycle commands: what a domain's state means for its VM, which volumes are its own. */
public final class LifecycleRules {

    private LifecycleRules() {
    }

    /**
     * The VM's status for a domain's state: {@code stopped} when shut off, {@code deleted} when not defined,
     * {@code failed} when crashed, else {@code running} (paused or in shutdown included: the domain still lives).
     */
    public static VmStatus vmStatus(Optional<DomainStatus> domain) {
        if (domain.isEmpty()) {
            return VmStatus.DELETED;
        }
        return switch (domain.get().power()) {
            case SHUT_OFF -> VmStatus.STOPPED;
            case CRASHED -> VmStatus.FAILED;
            case NO_STATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, PM_SUSPENDED -> VmStatus.RUNNING;
        };
    }

    /**
     * What a restarted agent reports for a domain of its stack: the status the domain has now, when it differs from
     * the one published last, as an {@link VmEvent.Phase#OBSERVED} event of the generation of that publication. That
     * version outranks that final event, and any later generation (a command still on its way, a deletion) outranks
     * it: the store takes it only if nothing newer happened to the VM, so a VM never moves backwards and a deleted VM
     * never comes back. Nothing for a domain with no reported generation (its first command's final event was never
     * sent: that command is read again and reports itself), nor for one whose VM was last reported failed (a failed
     * VM stays failed; its claim is gone).
     *
     * @param host    this agent's host id
     * @param source  this agent ({@code agent:<host>})
     */
    public static Optional<VmEvent> observed(StackDomain domain, String host, String source, Instant at) {
        if (domain.reportedGeneration().isEmpty() || domain.reportedStatus().isEmpty()
                || domain.reportedStatus().get() == VmStatus.FAILED) {
            return Optional.empty();
        }
        long generation = domain.reportedGeneration().getAsLong();
        VmStatus status = vmStatus(Optional.of(domain.status()));
        if (status == domain.reportedStatus().get()) {
            return Optional.empty();
        }
        FailureCode reason = status == VmStatus.FAILED ? FailureCode.LIBVIRT_ERROR : null;
        String message = reason == null ? null
                : "the domain " + domain.name() + " on host " + host + " is " + domain.status();
        return Optional.of(new VmEvent(domain.name(), generation, VmEvent.version(generation, VmEvent.Phase.OBSERVED),
                status, host, reason, message, domain.xml(), at, source));
    }

    /**
     * The volumes a VM's provisioning created: named {@code <vm id>-disk<N>.qcow2} or {@code .img} (see
     * {@code VmIds.volumeName}), in any pool. Attached volumes and ISOs carry names of their own and never match.
     */
    public static List<VolumeRef> createdVolumes(String vmId, List<VolumeRef> volumes) {
        Pattern own = Pattern.compile(Pattern.quote(vmId) + "-disk\\d+\\.(qcow2|img)");
        return volumes.stream().filter(v -> own.matcher(v.volume()).matches()).toList();
    }
}
