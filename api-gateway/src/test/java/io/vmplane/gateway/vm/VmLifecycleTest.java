package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.vmplane.gateway.vm.VmLifecycle.Action;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmStore.BeginResult;
import io.vmplane.store.VmStore.Outcome;
import org.junit.jupiter.api.Test;

class VmLifecycleTest {

    @Test
    void shouldNameTheCurrentStatusWhenRefusingForState() {
        // When
        var problem = VmLifecycle.refusal(new Action.Start(),
                new BeginResult(Outcome.INVALID_STATE, VmStatus.RUNNING, 1, "op-x")).problem();

        // Then
        assertThat(problem.status()).isEqualTo(409);
        assertThat(problem.code()).isEqualTo("INVALID_STATE");
        assertThat(problem.detail()).contains("running").contains("stopped");
        assertThat(problem.extensions()).containsEntry("vm_status", "running");
    }

    @Test
    void shouldNameTheOperationInProgress() {
        // When
        var problem = VmLifecycle.refusal(new Action.Delete(false),
                new BeginResult(Outcome.OPERATION_IN_PROGRESS, VmStatus.PENDING, 1, "op-1")).problem();

        // Then
        assertThat(problem.code()).isEqualTo("OPERATION_IN_PROGRESS");
        assertThat(problem.extensions()).containsEntry("operation_id", "op-1");
    }

    @Test
    void shouldBindAnIdempotencyKeyToTheVmTheActionAndItsParameters() {
        // Given
        String vm = VmIds.newVmId();

        // Then
        assertThat(VmLifecycle.requestHash(vm, new Action.Stop(StopRequest.DEFAULT)))
                .isEqualTo(VmLifecycle.requestHash(vm, new Action.Stop(new StopRequest(false, 60))))
                .isNotEqualTo(VmLifecycle.requestHash(vm, new Action.Stop(new StopRequest(true, 60))))
                .isNotEqualTo(VmLifecycle.requestHash(vm, new Action.Reboot()))
                .isNotEqualTo(VmLifecycle.requestHash(VmIds.newVmId(), new Action.Stop(StopRequest.DEFAULT)));
        assertThat(VmLifecycle.requestHash(vm, new Action.Delete(true)))
                .isNotEqualTo(VmLifecycle.requestHash(vm, new Action.Delete(false)));
    }

    @Test
    void shouldGiveAGracefulStopItsWholeTimeoutBeforeTheDeadline() {
        // Given
        Instant accepted = Instant.parse("2026-12-04T10:00:00Z");
        Duration lifecycle = Duration.ofMinutes(5);

        // When / Then: a long graceful timeout pushes the deadline out; nothing else does
        assertThat(VmLifecycle.deadline(new Action.Stop(new StopRequest(false, 3600)), accepted, lifecycle))
                .isEqualTo(accepted.plusSeconds(3600).plus(VmLifecycle.STOP_MARGIN));
        assertThat(VmLifecycle.deadline(new Action.Stop(StopRequest.DEFAULT), accepted, lifecycle))
                .isEqualTo(accepted.plus(lifecycle));
        assertThat(VmLifecycle.deadline(new Action.Stop(new StopRequest(true, 3600)), accepted, lifecycle))
                .isEqualTo(accepted.plus(lifecycle));
        assertThat(VmLifecycle.deadline(new Action.Reboot(), accepted, lifecycle)).isEqualTo(accepted.plus(lifecycle));
    }
}
