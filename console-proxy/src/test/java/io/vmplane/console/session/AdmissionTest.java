package io.vmplane.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vmplane.console.ConsoleProperties.BusyPolicy;

class AdmissionTest {

    @Test
    void shouldAdmitBelowEveryLimit() {
        var limits = new Admission.Limits(1, 2, 3, BusyPolicy.REFUSE);
        assertThat(Admission.decide(limits, 0, 0, 0, List.of())).isInstanceOf(Admission.Admit.class);
    }

    @Test
    void shouldRefuseABusyVmUnderRefuse() {
        var limits = new Admission.Limits(1, 5, 5, BusyPolicy.REFUSE);
        assertThat(Admission.decide(limits, 1, 0, 1, List.of())).isInstanceOf(Admission.Busy.class);
    }

    @Test
    void shouldTakeOverTheOldestUnderTakeover() {
        var limits = new Admission.Limits(2, 5, 5, BusyPolicy.TAKEOVER);
        var decision = Admission.decide(limits, 2, 0, 2, List.of("old", "new"));
        assertThat(decision).isEqualTo(new Admission.TakeOver(List.of("old")));
    }

    @Test
    void shouldTakeOverEverySessionBeyondALoweredLimit() {
        // Given 4 sessions of a VM whose limit is now 2: a new one leaves room for 1 of them
        var limits = new Admission.Limits(2, 9, 9, BusyPolicy.TAKEOVER);
        var decision = Admission.decide(limits, 0, 0, 4, List.of("a", "b", "c"));
        assertThat(decision).isEqualTo(new Admission.TakeOver(List.of("a", "b", "c")));
    }

    @Test
    void shouldAskTheStoreForTheExcessOnlyUnderTakeover() {
        assertThat(new Admission.Limits(3, 9, 9, BusyPolicy.TAKEOVER).takeOverLimit()).isEqualTo(3);
        assertThat(new Admission.Limits(3, 9, 9, BusyPolicy.REFUSE).takeOverLimit()).isZero();
    }

    @Test
    void shouldRefuseBeyondTheUserAndInstanceLimitsWhateverThePolicy() {
        assertThat(Admission.decide(new Admission.Limits(9, 1, 9, BusyPolicy.TAKEOVER), 1, 1, 0, List.of()))
                .isInstanceOf(Admission.Busy.class);
        assertThat(Admission.decide(new Admission.Limits(9, 9, 1, BusyPolicy.TAKEOVER), 1, 0, 0, List.of()))
                .isInstanceOf(Admission.Busy.class);
        assertThat(Admission.refuseLocally(new Admission.Limits(1, 1, 9, BusyPolicy.REFUSE), 3, 0)).isEmpty();
    }
}
