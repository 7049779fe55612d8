package io.vmplane.worker.placement;

import static io.vmplane.worker.placement.Fixtures.simHost;
import static io.vmplane.worker.placement.Fixtures.small;
import static io.vmplane.worker.placement.Fixtures.usage;
import static io.vmplane.worker.placement.Fixtures.view;
import static io.vmplane.worker.placement.PlacementFiltersTest.candidateIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import org.junit.jupiter.api.Test;

class PlacementOrderTest {

    private final List<HostView> hosts = List.of(
            view(simHost("a", List.of()), usage(0, 32768), HostStatus.UP),
            view(simHost("b", List.of()), usage(0, 8192), HostStatus.UP),
            view(simHost("c", List.of()), usage(64, 8192), HostStatus.UP),
            view(simHost("d", List.of()), usage(0, 16384), HostStatus.UP));

    @Test
    void shouldSpreadToTheHostWithMostFreeMemoryThenMostFreeVcpus() {
        // When
        PlacementDecision decision = Placement.decide(small("vm"), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("b", "c", "d", "a");
    }

    @Test
    void shouldPackOntoTheHostWithLeastFreeMemoryThenLeastFreeVcpus() {
        // When
        PlacementDecision decision = Placement.decide(small("vm"), hosts, PlacementStrategy.PACK);

        // Then
        assertThat(candidateIds(decision)).containsExactly("a", "d", "c", "b");
    }

    @Test
    void shouldBreakTiesByHostId() {
        // Given
        List<HostView> equal = List.of(view(simHost("sim-2", List.of()), usage(0, 0), HostStatus.UP),
                view(simHost("sim-1", List.of()), usage(0, 0), HostStatus.UP));

        // When
        PlacementDecision spread = Placement.decide(small("vm"), equal, PlacementStrategy.SPREAD);
        PlacementDecision pack = Placement.decide(small("vm"), equal, PlacementStrategy.PACK);

        // Then
        assertThat(candidateIds(spread)).containsExactly("sim-1", "sim-2");
        assertThat(candidateIds(pack)).containsExactly("sim-1", "sim-2");
    }
}
