package io.vmplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.hypervisor.VirtType;

class AgentPropertiesTest {

    @Test
    void shouldAcceptTheLocalStacksSettings() {
        // When
        AgentProperties properties = new AgentProperties("sim-1", "test:///work/.dev/hosts/sim-1.xml", "127.0.0.1",
                false, "dev-3f2a9c1e", Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1");

        // Then
        assertThat(properties.hostId()).isEqualTo("sim-1");
    }

    @Test
    void shouldNameThePropertyWhenTheHostIdIsMissing() {
        assertThatThrownBy(() -> new AgentProperties(null, "qemu:///system", "127.0.0.1", true, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.host-id");
    }

    @Test
    void shouldRejectALibvirtUriThatIsAPath() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "/tmp/sim-1.xml", "127.0.0.1", false, "dev-1",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.libvirt-uri");
    }

    @Test
    void shouldRejectANonPositiveHeartbeatInterval() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "dev-1",
                Duration.ZERO, Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vmplane.agent.heartbeat-interval");
    }

    @Test
    void shouldRejectAStackIdThatCouldBreakTheMetadataTag() {
        assertThatThrownBy(() -> new AgentProperties("sim-1", "test:///default", "127.0.0.1", false, "a b<",
                Duration.ofSeconds(3), Duration.ofSeconds(30), VirtType.AUTO, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vmplane.agent.stack-id");
    }
}
