package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.DomainType;
import io.vmplane.agent.hypervisor.DomainStatus.Power;
import io.vmplane.agent.hypervisor.KvmProbeVerdict.Look;

/**
 * The probe's decision from the looks it took, in order: plain sequences of (seconds since start, state, seconds of
 * CPU), with the default probe duration of 6 s.
 */
class KvmProbeVerdictTest {

    private static final DomainStatus RUNNING = new DomainStatus(Power.RUNNING, "booted");
    private static final DomainStatus IDLE = new DomainStatus(Power.BLOCKED, "unknown");
    private static final DomainStatus PAUSED = new DomainStatus(Power.PAUSED, "unknown");
    private static final DomainStatus CRASHED = new DomainStatus(Power.CRASHED, "panicked");
    private static final DomainStatus NO_STATE = new DomainStatus(Power.NO_STATE, "unknown");
    private static final DomainStatus GONE = null;

    @Test
    void shouldChooseKvmWhenTheGuestRunsAndIdlesUntilTheDuration() {
        // Given a guest that boots (busy for 1.5 s) and then waits
        Sequence looks = new Sequence().every(0.5, 0, 12, RUNNING, t -> Math.min(t, 1.5) + t * 0.01);

        // When
        Decided decided = decide(looks);

        // Then KVM, at the first look at or after 6 s
        assertThat(decided.decision().type()).isEqualTo(DomainType.KVM);
        assertThat(decided.decision().reason()).contains("still running (booted) and idle 6.0 s after its start");
        assertThat(decided.at()).isEqualTo(6.0);
    }

    @Test
    void shouldChooseKvmWhenTheGuestUsedAsMuchCpuAsTheDurationWithoutFailing() {
        // Given a guest that keeps one core busy
        Sequence looks = new Sequence().every(0.5, 0, 12, IDLE, t -> t);

        // When
        Decided decided = decide(looks);

        // Then
        assertThat(decided.decision().type()).isEqualTo(DomainType.KVM);
        assertThat(decided.at()).isEqualTo(6.0);
    }

    @Test
    void shouldChooseQemuAtTheFirstLookThatSeesTheGuestPaused() {
        // Given a KVM emulation failure after 3.5 s of guest work, on an idle host
        Sequence looks = new Sequence().every(0.5, 0, 3, RUNNING, t -> t).at(3.5, PAUSED, 3.5).at(4.0, PAUSED, 3.5);

        // When
        Decided decided = decide(looks);

        // Then the probe stops looking and gives the state and reason
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.decision().reason()).contains("was paused (unknown) 3.5 s after its start");
        assertThat(decided.at()).isEqualTo(3.5);
    }

    @Test
    void shouldWatchAStarvedBusyGuestPastTheDurationUntilItFails() {
        // Given the same failure while the agent's start-up leaves the guest a third of a core: 3.5 s of guest
        // work take 10.5 s
        Sequence looks = new Sequence().every(0.5, 0, 10, RUNNING, t -> t / 3).at(10.5, PAUSED, 3.5);

        // When
        Decided decided = decide(looks);

        // Then not KVM at 6 s: QEMU once it paused
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.at()).isEqualTo(10.5);
    }

    @Test
    void shouldChooseQemuWhenAStarvedGuestNeverProvesKvm() {
        // Given a guest that stays busy on a sixth of a core
        Sequence looks = new Sequence().every(0.5, 0, 40, RUNNING, t -> t / 6);

        // When
        Decided decided = decide(looks);

        // Then after five times the duration
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.decision().reason()).contains("had not proven KVM 30.0 s after its start");
        assertThat(decided.at()).isEqualTo(30.0);
    }

    @Test
    void shouldChooseQemuWhenTheGuestCrashes() {
        // When
        Decided decided = decide(new Sequence().at(0.5, RUNNING, 0.5).at(1.0, CRASHED, 0.9).at(1.5, RUNNING, 1.0));

        // Then
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.decision().reason()).contains("crashed (panicked)");
        assertThat(decided.at()).isEqualTo(1.0);
    }

    @Test
    void shouldChooseQemuWhenTheTransientProbeDomainIsGone() {
        // When
        Decided decided = decide(new Sequence().at(0.5, RUNNING, 0.5).at(1.0, GONE, 0));

        // Then
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.decision().reason()).contains("had ended (shut off)");
    }

    @Test
    void shouldKeepLookingWhileTheStateIsUnknownAndChooseQemuIfItStaysSo() {
        // When
        Decided decided = decide(new Sequence().every(1, 0, 40, NO_STATE, t -> 0.0));

        // Then
        assertThat(decided.decision().type()).isEqualTo(DomainType.QEMU);
        assertThat(decided.decision().reason()).contains("no state (unknown)");
        assertThat(decided.at()).isEqualTo(30.0);
    }

    @Test
    void shouldChooseQemuWhenTheProbeDomainDidNotStart() {
        // When
        VirtTypeDecision decision = KvmProbeVerdict.notStarted("Could not access KVM kernel module");

        // Then
        assertThat(decision.type()).isEqualTo(DomainType.QEMU);
        assertThat(decision.reason()).contains("Could not access KVM kernel module");
    }

    /** Feeds the looks in order to a verdict with a 6 s duration; the first decision wins. */
    private static Decided decide(Sequence sequence) {
        KvmProbeVerdict verdict = new KvmProbeVerdict(Duration.ofSeconds(6));
        for (Look look : sequence.looks) {
            Optional<VirtTypeDecision> decision = verdict.afterLook(look);
            if (decision.isPresent()) {
                return new Decided(decision.get(), look.sinceStart().toMillis() / 1000.0);
            }
        }
        throw new AssertionError("no decision after the last look of " + sequence.looks);
    }

    private record Decided(VirtTypeDecision decision, double at) {
    }

    /** Looks at given seconds since the start, with the state seen and the CPU seconds used. */
    private static final class Sequence {

        private final List<Look> looks = new ArrayList<>();

        Sequence at(double seconds, DomainStatus status, double cpuSeconds) {
            looks.add(new Look(Duration.ofMillis(Math.round(seconds * 1000)), Optional.ofNullable(status),
                    Duration.ofMillis(Math.round(cpuSeconds * 1000))));
            return this;
        }

        /** Looks every {@code step} s from {@code from} to {@code to} (inclusive), CPU as a function of time. */
        Sequence every(double step, double from, double to, DomainStatus status,
                       DoubleUnaryOperator cpu) {
            for (double t = from; t <= to + 1e-9; t += step) {
                at(t, status, cpu.applyAsDouble(t));
            }
            return this;
        }
    }
}
