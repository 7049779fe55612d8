package io.vmplane.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.vmplane.worker.placement.PlacementStrategy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WorkerPropertiesTest {

    @Test
    void shouldApplyTheDocumentedDefaults() {
        // When
        WorkerProperties properties = bind(Map.of("vmplane.worker.instance-id", "worker-7"));

        // Then
        assertThat(properties.instanceId()).isEqualTo("worker-7");
        assertThat(properties.cpuOvercommit()).isEqualTo(4.0);
        assertThat(properties.memoryOvercommit()).isEqualTo(1.0);
        assertThat(properties.storageOvercommit()).isEqualTo(1.0);
        assertThat(properties.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(properties.sweepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.placementStrategy()).isEqualTo(PlacementStrategy.SPREAD);
        assertThat(properties.stallAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(properties.maxRedrives()).isEqualTo(2);
    }

    @Test
    void shouldBindTheLauncherStyleValues() {
        // When
        WorkerProperties properties = bind(Map.of("vmplane.worker.placement-strategy", "pack",
                "vmplane.worker.sweep-interval", "500ms", "vmplane.worker.cpu-overcommit", "2.5"));

        // Then
        assertThat(properties.placementStrategy()).isEqualTo(PlacementStrategy.PACK);
        assertThat(properties.sweepInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(properties.cpuOvercommit()).isEqualTo(2.5);
    }

    @Test
    void shouldRefuseToStartNamingTheBadProperty() {
        // When / Then
        assertThatThrownBy(() -> bind(Map.of("vmplane.worker.heartbeat-timeout", "0s")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessage("vmplane.worker.heartbeat-timeout must be a positive duration, was PT0S");
    }

    @Test
    void shouldRefuseANegativeRedriveBound() {
        // When / Then
        assertThatThrownBy(() -> bind(Map.of("vmplane.worker.max-redrives", "-1")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessage("vmplane.worker.max-redrives must be >= 0, was -1");
    }

    private static WorkerProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("vmplane.worker", WorkerProperties.class);
    }
}
