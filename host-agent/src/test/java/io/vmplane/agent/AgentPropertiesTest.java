package io.vmplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vmplane.agent.hypervisor.VirtType;

class AgentPropertiesTest {

    @Test
    void shouldAcceptTheLocalStacksSettings() {
        // When
        AgentProperties properties = new AgentProperties("sim-1", "test:///work/.dev/hosts/sim-1.xml", "127.0.0.1",
                false, "dev-3f2a9c1e", Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5));

        // Then
        assertThat(properties.hostId()).isEqualTo("sim-1");
    }

    @Test
    void shouldNameThePropertyWhenTheHostIdIsMissing() {
        assertThatThrownBy(() -> new AgentProperties(null, "qemu:///system", "127.0.0.1", true, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.host-id");
    }

    @Test
    void shouldRejectALibvirtUriThatIsAPath() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "/tmp/sim-1.xml", "127.0.0.1", false, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.libvirt-uri");
    }

    @Test
    void shouldRejectANonPositiveHeartbeatInterval() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "dev-1",
                Duration.ZERO, Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.heartbeat-interval");
    }

    @Test
    void shouldRejectAStackIdThatCouldBreakTheMetadataTag() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "a b<",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.stack-id");
    }

    @Test
    void shouldRejectANonPositiveKvmProbeDuration() {
        assertThatThrownBy(() -> qemuHost(null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.kvm-probe-duration");
    }

    @Test
    void shouldRejectAKvmProbeImageThatIsNotOnTheLocalHost() {
        assertThatThrownBy(() -> qemuHost("/nonexistent/probe.iso", Duration.ofSeconds(6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.kvm-probe-image");
    }

    @Test
    void shouldRejectARelativeKvmProbeImage() {
        assertThatThrownBy(() -> qemuHost("probe.iso", Duration.ofSeconds(6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.kvm-probe-image");
    }

    @Test
    void shouldProbeWithTheConfiguredImage(@TempDir Path dir) throws IOException {
        // Given
        Path image = Files.writeString(dir.resolve("probe.iso"), "bootable");

        // When
        AgentProperties properties = qemuHost(image.toString(), Duration.ofSeconds(6));

        // Then
        assertThat(properties.kvmProbeImagePath()).contains(image);
    }

    @Test
    void shouldNotProbeWhenTheKvmProbeImageIsSetEmpty() {
        // When
        AgentProperties properties = qemuHost("", Duration.ofSeconds(6));

        // Then
        assertThat(properties.kvmProbeImagePath()).isEmpty();
    }

    @Test
    void shouldNameTheLibvirtRetryPropertyWhenItAllowsNoAttempt() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ofSeconds(30), 0, Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.libvirt-retry-attempts");
    }

    @Test
    void shouldNameTheLibvirtCallTimeoutWhenItIsZero() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", null,
                Duration.ofSeconds(6), Duration.ZERO, 3, Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.libvirt-call-timeout");
    }

    private static AgentProperties qemuHost(String kvmProbeImage, Duration kvmProbeDuration) {
        return new AgentProperties("qemu-1", "qemu:///system", "127.0.0.1", true, "dev-1", Duration.ofSeconds(3),
                Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1", kvmProbeImage, kvmProbeDuration, Duration.ofSeconds(30), 3,
                Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
