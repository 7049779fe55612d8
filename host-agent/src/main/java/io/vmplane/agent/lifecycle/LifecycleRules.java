package io.vmplane.agent.lifecycle;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
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
     * The volumes a VM's provisioning created: named {@code <vm id>-disk<N>.qcow2} or {@code .img} (see
     * {@code VmIds.volumeName}), in any pool. Attached volumes and ISOs carry names of their own and never match.
     */
    public static List<VolumeRef> createdVolumes(String vmId, List<VolumeRef> volumes) {
        Pattern own = Pattern.compile(Pattern.quote(vmId) + "-disk\\d+\\.(qcow2|img)");
        return volumes.stream().filter(v -> own.matcher(v.volume()).matches()).toList();
    }
}
