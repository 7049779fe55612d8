package io.vmplane.worker.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.host.HostInventory;
import org.junit.jupiter.api.Test;

class HostLimitsTest {

    @Test
    void shouldMultiplyByOvercommitAndRoundDown() {
        // Given
        HostInventory host = new HostInventory("h", "test", "127.0.0.1", false, 3, 1001, List.of(), List.of(),
                Instant.EPOCH);

        // When
        HostLimits limits = HostLimits.of(host, 1.5, 0.5);

        // Then
        assertThat(limits).isEqualTo(new HostLimits(4, 500));
    }

    @Test
    void shouldApplyTheDefaultOvercommitToASimulatedHost() {
        // When
        HostLimits limits = HostLimits.of(Fixtures.sim2(), 4.0, 1.0);

        // Then
        assertThat(limits).isEqualTo(new HostLimits(128, 65536));
    }

    @Test
    void shouldMultiplyEachPoolsAvailableBytesByStorageOvercommit() {
        // Given: default has 200 GiB available, fast 500 GiB, bulk 2000 GiB
        HostInventory host = Fixtures.sim2();

        // When
        var limits = HostLimits.poolLimits(host, 2.5);

        // Then
        assertThat(limits).containsExactly(
                java.util.Map.entry("default", 500 * Fixtures.GIB),
                java.util.Map.entry("fast", 1250 * Fixtures.GIB),
                java.util.Map.entry("bulk", 5000 * Fixtures.GIB));
    }
}
