package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.hypervisor.DomainStatus.Power;

class DomainStatusTest {

    @Test
    void shouldNameAStateAndReasonAsVirshDoes() {
        // libvirt: VIR_DOMAIN_PAUSED = 3, VIR_DOMAIN_PAUSED_UNKNOWN = 0; VIR_DOMAIN_RUNNING_BOOTED = 1
        assertThat(DomainStatus.of(3, 0)).hasToString("paused (unknown)");
        assertThat(DomainStatus.of(1, 1)).hasToString("running (booted)");
        assertThat(DomainStatus.of(5, 2)).hasToString("shut off (destroyed)");
        assertThat(DomainStatus.of(6, 1)).hasToString("crashed (panicked)");
        assertThat(DomainStatus.of(3, 5)).hasToString("paused (I/O error)");
    }

    @Test
    void shouldKeepAReasonNumberItDoesNotKnow() {
        assertThat(DomainStatus.of(3, 99)).isEqualTo(new DomainStatus(Power.PAUSED, "reason 99"));
    }

    @Test
    void shouldCountPausedShutOffAndCrashedAsFailedToRun() {
        assertThat(DomainStatus.of(3, 0).failedToRun()).isTrue();
        assertThat(DomainStatus.of(4, 1).failedToRun()).isTrue();
        assertThat(DomainStatus.of(5, 3).failedToRun()).isTrue();
        assertThat(DomainStatus.of(6, 0).failedToRun()).isTrue();
        assertThat(DomainStatus.of(1, 1).failedToRun()).isFalse();
        assertThat(DomainStatus.of(2, 0).failedToRun()).isFalse();
    }

    @Test
    void shouldCallEveryStateButShutOffActive() {
        assertThat(DomainStatus.of(3, 0).active()).isTrue();
        assertThat(DomainStatus.of(5, 0).active()).isFalse();
    }
}
