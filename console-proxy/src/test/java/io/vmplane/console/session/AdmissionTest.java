package io.vmplane.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vmplane.console.ConsoleProperties.BusyPolicy;
import io.vmplane.store.console.ConsoleSession;

class AdmissionTest {

    private static ConsoleSession session(String id, long startedSecond) {
        Instant at = Instant.ofEpochSecond(startedSecond);
        return new ConsoleSession(id, "vm-1", "vnc", "u", "127.0.0.1", "a", at, at, 0, 0, 0);
    }

    @Test
    void shouldAdmitBelowEveryLimit() {
        var limits = new Admission.Limits(1, 2, 3, BusyPolicy.REFUSE);
        assertThat(Admission.decide(limits, 0, 0, List.of())).isInstanceOf(Admission.Admit.class);
    }

    @Test
    void shouldRefuseABusyVmUnderRefuse() {
        var limits = new Admission.Limits(1, 5, 5, BusyPolicy.REFUSE);
        assertThat(Admission.decide(limits, 1, 0, List.of(session("a", 1)))).isInstanceOf(Admission.Busy.class);
    }

    @Test
    void shouldTakeOverTheOldestUnderTakeover() {
        var limits = new Admission.Limits(2, 5, 5, BusyPolicy.TAKEOVER);
        var decision = Admission.decide(limits, 2, 0, List.of(session("new", 9), session("old", 1)));
        assertThat(decision).isEqualTo(new Admission.TakeOver(List.of(session("old", 1))));
    }

    @Test
    void shouldRefuseBeyondTheUserAndInstanceLimitsWhateverThePolicy() {
        assertThat(Admission.decide(new Admission.Limits(9, 1, 9, BusyPolicy.TAKEOVER), 1, 1, List.of()))
                .isInstanceOf(Admission.Busy.class);
        assertThat(Admission.decide(new Admission.Limits(9, 9, 1, BusyPolicy.TAKEOVER), 1, 0, List.of()))
                .isInstanceOf(Admission.Busy.class);
    }
}
