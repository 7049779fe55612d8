package io.vmplane.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.VmStatus;
import org.junit.jupiter.api.Test;

class LifecycleStepsTest {

    private static final Instant DEADLINE = Instant.parse("2026-12-03T18:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-12-03T17:50:00Z");

    @Test
    void shouldTellTheHostToStopWithTheGracefulTimeoutAndForce() {
        // Given
        var stop = new VmCommand.StopVm("c1", "vm-1", 3, "op-1", "p", "u", 30, true, DEADLINE, CREATED);

        // When
        HostCommand command = LifecycleSteps.hostCommand(stop, "sim-1");

        // Then
        assertThat(command).isEqualTo(new HostCommand.StopDomain("c1", "sim-1", "vm-1", 3, 30, true, DEADLINE));
    }

    @Test
    void shouldCarryDeleteVolumesToTheHost() {
        // Given
        var delete = new VmCommand.DeleteVm("c2", "vm-1", 4, "op-2", "p", "u", true, DEADLINE, CREATED);

        // When
        HostCommand command = LifecycleSteps.hostCommand(delete, "sim-2");

        // Then
        assertThat(command).isEqualTo(new HostCommand.DeleteDomain("c2", "sim-2", "vm-1", 4, true, DEADLINE));
    }

    @Test
    void shouldMapStartAndRebootToTheirDomainCommands() {
        // Given
        var start = new VmCommand.StartVm("c3", "vm-1", 5, "op-3", "p", "u", DEADLINE, CREATED);
        var reboot = new VmCommand.RebootVm("c4", "vm-1", 6, "op-4", "p", "u", DEADLINE, CREATED);

        // When
        HostCommand started = LifecycleSteps.hostCommand(start, "h");
        HostCommand rebooted = LifecycleSteps.hostCommand(reboot, "h");

        // Then
        assertThat(started).isEqualTo(new HostCommand.StartDomain("c3", "h", "vm-1", 5, DEADLINE));
        assertThat(rebooted).isEqualTo(new HostCommand.RebootDomain("c4", "h", "vm-1", 6, DEADLINE));
    }

    @Test
    void shouldShowStoppingAndDeletingButKeepTheStatusForStartAndReboot() {
        // Given
        var stop = new VmCommand.StopVm("c1", "vm-1", 2, "op", "p", "u", 60, false, DEADLINE, CREATED);
        var delete = new VmCommand.DeleteVm("c2", "vm-1", 2, "op", "p", "u", false, DEADLINE, CREATED);
        var start = new VmCommand.StartVm("c3", "vm-1", 2, "op", "p", "u", DEADLINE, CREATED);
        var reboot = new VmCommand.RebootVm("c4", "vm-1", 2, "op", "p", "u", DEADLINE, CREATED);

        // When / Then
        assertThat(LifecycleSteps.handedOverStatus(stop, VmStatus.RUNNING)).isEqualTo(VmStatus.STOPPING);
        assertThat(LifecycleSteps.handedOverStatus(delete, VmStatus.STOPPED)).isEqualTo(VmStatus.DELETING);
        assertThat(LifecycleSteps.handedOverStatus(start, VmStatus.STOPPED)).isEqualTo(VmStatus.STOPPED);
        assertThat(LifecycleSteps.handedOverStatus(reboot, VmStatus.RUNNING)).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void shouldCallAVmWhoseStopNeverReachedItsHostRunningAndLeaveOtherStatuses() {
        // When / Then
        assertThat(LifecycleSteps.untouchedStatus(VmStatus.STOPPING)).isEqualTo(VmStatus.RUNNING);
        assertThat(LifecycleSteps.untouchedStatus(VmStatus.STOPPED)).isEqualTo(VmStatus.STOPPED);
        assertThat(LifecycleSteps.untouchedStatus(VmStatus.DELETING)).isEqualTo(VmStatus.DELETING);
        assertThat(LifecycleSteps.untouchedStatus(VmStatus.FAILED)).isEqualTo(VmStatus.FAILED);
    }
}
