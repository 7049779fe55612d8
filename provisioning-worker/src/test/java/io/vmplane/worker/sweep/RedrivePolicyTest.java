package io.vmplane.worker.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmRecord;
import org.junit.jupiter.api.Test;

class RedrivePolicyTest {

    private static final Instant PLACED_AT = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant DEADLINE = PLACED_AT.plus(Duration.ofMinutes(10));
    private static final RedrivePolicy POLICY = new RedrivePolicy(Duration.ofMinutes(2), 2);

    @Test
    void shouldRedriveAPlacedCreateWithoutProgressForStallAfter() {
        // Given a VM placed at 10:00, nothing since
        VmRecord vm = vm(VmStatus.PROVISIONING, "sim-1", Phase.PLACED, PLACED_AT);

        // When the policy looks at 10:02
        var decision = POLICY.decide(vm, true, List.of(), PLACED_AT.plus(Duration.ofMinutes(2)));

        // Then it is re-drive number 1
        assertThat(decision).isEqualTo(new RedrivePolicy.Redrive(1));
    }

    @Test
    void shouldLeaveACreateThatProgressedWithinStallAfter() {
        // Given the agent reported EXECUTING at 10:01
        VmRecord vm = vm(VmStatus.PROVISIONING, "sim-1", Phase.EXECUTING, PLACED_AT.plusSeconds(60));

        // When / Then at 10:02:59 it has not stalled
        assertThat(POLICY.decide(vm, true, List.of(), PLACED_AT.plusSeconds(179)))
                .isInstanceOf(RedrivePolicy.Leave.class);
        assertThat(POLICY.decide(vm, true, List.of(), PLACED_AT.plusSeconds(180)))
                .isEqualTo(new RedrivePolicy.Redrive(1));
    }

    @Test
    void shouldCountTheLatestRedriveAsProgress() {
        // Given re-drive 1 at 10:02
        VmRecord vm = vm(VmStatus.PROVISIONING, "sim-1", Phase.PLACED, PLACED_AT);
        List<Instant> redrives = List.of(PLACED_AT.plus(Duration.ofMinutes(2)));

        // When / Then re-drive 2 comes stall-after later, not before
        assertThat(POLICY.decide(vm, true, redrives, PLACED_AT.plus(Duration.ofMinutes(3))))
                .isInstanceOf(RedrivePolicy.Leave.class);
        assertThat(POLICY.decide(vm, true, redrives, PLACED_AT.plus(Duration.ofMinutes(4))))
                .isEqualTo(new RedrivePolicy.Redrive(2));
    }

    @Test
    void shouldStopAtTheBound() {
        // Given two re-drives done
        VmRecord vm = vm(VmStatus.PROVISIONING, "sim-1", Phase.PLACED, PLACED_AT);
        List<Instant> redrives = List.of(PLACED_AT.plus(Duration.ofMinutes(2)), PLACED_AT.plus(Duration.ofMinutes(4)));

        // When the policy looks long after, still before the deadline
        var decision = POLICY.decide(vm, true, redrives, PLACED_AT.plus(Duration.ofMinutes(9)));

        // Then it leaves the VM to its deadline
        assertThat(decision).isEqualTo(new RedrivePolicy.Leave("re-driven 2 times already"));
    }

    @Test
    void shouldNeverRedriveAfterTheFinalEvent() {
        // Given a VM whose create ended (running, or failed by its agent)
        VmRecord running = vm(VmStatus.RUNNING, "sim-1", Phase.FINAL, PLACED_AT);
        VmRecord failed = vm(VmStatus.FAILED, "sim-1", Phase.FINAL, PLACED_AT);

        // When / Then
        Instant later = PLACED_AT.plus(Duration.ofMinutes(5));
        assertThat(POLICY.decide(running, true, List.of(), later)).isEqualTo(new RedrivePolicy.Leave("its create has ended"));
        assertThat(POLICY.decide(failed, true, List.of(), later)).isEqualTo(new RedrivePolicy.Leave("its create has ended"));
    }

    @Test
    void shouldLeaveOverdueUnplacedAndLifecycleOperationsAlone() {
        VmRecord placed = vm(VmStatus.PROVISIONING, "sim-1", Phase.PLACED, PLACED_AT);
        VmRecord pending = vm(VmStatus.PENDING, null, Phase.ACCEPTED, PLACED_AT);

        // At the deadline the deadline sweep ends it instead
        assertThat(POLICY.decide(placed, true, List.of(), DEADLINE)).isInstanceOf(RedrivePolicy.Leave.class);
        // A pending VM's CreateVm is still in vm.commands.v1
        assertThat(POLICY.decide(pending, true, List.of(), PLACED_AT.plus(Duration.ofMinutes(5))))
                .isEqualTo(new RedrivePolicy.Leave("not placed on a host yet"));
        // A start, stop, reboot or delete is not a create
        assertThat(POLICY.decide(placed, false, List.of(), PLACED_AT.plus(Duration.ofMinutes(5))))
                .isInstanceOf(RedrivePolicy.Leave.class);
        // With a bound of 0 nothing is ever re-driven
        assertThat(new RedrivePolicy(Duration.ofMinutes(2), 0)
                .decide(placed, true, List.of(), PLACED_AT.plus(Duration.ofMinutes(5))))
                .isInstanceOf(RedrivePolicy.Leave.class);
    }

    private static VmRecord vm(VmStatus status, String host, Phase phase, Instant updatedAt) {
        VmSpec spec = new VmSpec("vm", 1024, 1, new StorageSpec("default", "ubuntu.iso", List.of()), List.of(), null,
                null);
        return new VmRecord("vm-0b5d7c2e-0000-4000-8000-000000000001", "vm", "p", "u", status, host, null, null, spec,
                null, 1, VmEvent.version(1, phase), "op-1", DEADLINE, PLACED_AT.minusSeconds(1), updatedAt);
    }
}
