package io.vmplane.worker.sweep;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmRecord;

/**
 * Whether a create whose provisioning has not progressed gets its {@code ProvisionVm} published again. Pure: the
 * caller reads the VM, whether its current operation is its create and the re-drives recorded so far.
 *
 * <p>Only a VM placed on a host ({@code provisioning}, with a host) is re-driven: a {@code pending} VM's
 * {@code CreateVm} is still in {@code vm.commands.v1} and Kafka hands it to another worker if its worker dies. Never
 * after the generation's final event, never at or past the deadline (the deadline sweep ends the VM then), at most
 * {@code maxRedrives} times, and only when neither the VM nor its latest re-drive changed for {@code stallAfter}.
 *
 * @param stallAfter  how long without progress counts as stalled
 * @param maxRedrives re-drives per create at most
 */
public record RedrivePolicy(Duration stallAfter, int maxRedrives) {

    /** What to do with one VM. */
    public sealed interface Decision {
    }

    /** Nothing now; {@code why} is for logs and tests. */
    public record Leave(String why) implements Decision {
    }

    /** Publish the ProvisionVm again, as re-drive number {@code number} (from 1). */
    public record Redrive(int number) implements Decision {
    }

    public Decision decide(VmRecord vm, boolean creating, List<Instant> redrives, Instant now) {
        if (!creating) {
            return new Leave("its current operation is not a create");
        }
        if (vm.version() >= VmEvent.version(vm.generation(), VmEvent.Phase.FINAL)) {
            return new Leave("its create has ended");
        }
        if (vm.deadline() == null || !now.isBefore(vm.deadline())) {
            return new Leave("at or past its deadline: the deadline sweep ends it");
        }
        if (vm.status() != VmStatus.PROVISIONING || vm.host() == null) {
            return new Leave("not placed on a host yet");
        }
        if (redrives.size() >= maxRedrives) {
            return new Leave("re-driven " + redrives.size() + " times already");
        }
        Instant lastProgress = vm.updatedAt();
        for (Instant redrive : redrives) {
            if (lastProgress == null || redrive.isAfter(lastProgress)) {
                lastProgress = redrive;
            }
        }
        if (lastProgress != null && now.isBefore(lastProgress.plus(stallAfter))) {
            return new Leave("progressed at " + lastProgress);
        }
        return new Redrive(redrives.size() + 1);
    }
}
