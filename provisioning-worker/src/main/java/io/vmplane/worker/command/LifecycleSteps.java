package io.vmplane.worker.command;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.VmStatus;

/**
 * The pure part of a life-cycle command (start, stop, reboot, delete): what its host's agent is told, and what the
 * VM's status is while the agent works on it.
 */
public final class LifecycleSteps {

    private LifecycleSteps() {
    }

    /** The host command that carries {@code command} out on {@code hostId}; same id, generation and deadline. */
    public static HostCommand hostCommand(VmCommand command, String hostId) {
        if (command instanceof VmCommand.StartVm start) {
            return new HostCommand.StartDomain(start.commandId(), hostId, start.vmId(), start.generation(),
                    start.deadline());
        }
        if (command instanceof VmCommand.StopVm stop) {
            return new HostCommand.StopDomain(stop.commandId(), hostId, stop.vmId(), stop.generation(),
                    stop.gracefulTimeoutSeconds(), stop.force(), stop.deadline());
        }
        if (command instanceof VmCommand.RebootVm reboot) {
            return new HostCommand.RebootDomain(reboot.commandId(), hostId, reboot.vmId(), reboot.generation(),
                    reboot.deadline());
        }
        if (command instanceof VmCommand.DeleteVm delete) {
            return new HostCommand.DeleteDomain(delete.commandId(), hostId, delete.vmId(), delete.generation(),
                    delete.deleteVolumes(), delete.deadline());
        }
        throw new IllegalArgumentException("not a life-cycle command: " + command.getClass().getSimpleName());
    }

    /**
     * The status the VM shows once the command is handed to its host: {@code stopping} or {@code deleting}, while a
     * start or a reboot leaves the status as it is until the agent reports.
     */
    public static VmStatus handedOverStatus(VmCommand command, VmStatus current) {
        if (command instanceof VmCommand.StopVm) {
            return VmStatus.STOPPING;
        }
        if (command instanceof VmCommand.DeleteVm) {
            return VmStatus.DELETING;
        }
        return current;
    }

    /**
     * The VM's status when a life-cycle command ends without having reached its domain (deadline, dead letter): the
     * store shows {@code stopping} from the moment a stop is accepted, but a stop starts only from {@code running}
     * and nothing stopped the VM, so it runs. Any other status stands as stored ({@code deleting} included: what the
     * VM was before its delete is not kept, and a new delete may be asked for once this one failed).
     */
    public static VmStatus untouchedStatus(VmStatus stored) {
        return stored == VmStatus.STOPPING ? VmStatus.RUNNING : stored;
    }

    /** The operation kind as the store names it ({@code create}, {@code start}, {@code stop}, …). */
    public static String kind(VmCommand command) {
        if (command instanceof VmCommand.CreateVm) {
            return "create";
        }
        if (command instanceof VmCommand.StartVm) {
            return "start";
        }
        if (command instanceof VmCommand.StopVm) {
            return "stop";
        }
        if (command instanceof VmCommand.RebootVm) {
            return "reboot";
        }
        return "delete";
    }
}
