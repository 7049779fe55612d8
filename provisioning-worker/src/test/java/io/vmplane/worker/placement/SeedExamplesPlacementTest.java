package io.vmplane.worker.placement;

import static io.vmplane.worker.placement.Fixtures.GPU;
import static io.vmplane.worker.placement.Fixtures.dbVm;
import static io.vmplane.worker.placement.Fixtures.gpuVm;
import static io.vmplane.worker.placement.Fixtures.sim1;
import static io.vmplane.worker.placement.Fixtures.sim2;
import static io.vmplane.worker.placement.Fixtures.testVm;
import static io.vmplane.worker.placement.Fixtures.up;
import static io.vmplane.worker.placement.PlacementFiltersTest.candidateIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.vmplane.worker.placement.PlacementDecision.Placed;
import io.vmplane.worker.placement.Rejection.Reason;
import org.junit.jupiter.api.Test;

/** The three requests of INTERFACE.md over the local stack's two simulated hosts. */
class SeedExamplesPlacementTest {

    private final List<HostView> hosts = List.of(up(sim1()), up(sim2()));

    @Test
    void shouldPlaceGpuVmOnTheHostWithTheGpu() {
        // When
        PlacementDecision decision = Placement.decide(gpuVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("sim-1");
        assertThat(((Placed) decision).candidates().get(0).pciAddresses()).containsExactly(GPU);
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.hostId()).isEqualTo("sim-2");
            assertThat(r.reason()).isEqualTo(Reason.PCI_DEVICE_UNAVAILABLE);
            assertThat(r.detail()).isEqualTo("no PCI device 10de:1eb8");
        });
    }

    @Test
    void shouldOfferBothHostsForTestVm() {
        // When
        PlacementDecision decision = Placement.decide(testVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("sim-1", "sim-2");
        assertThat(decision.rejections()).isEmpty();
    }

    @Test
    void shouldOfferBothHostsForDbVmWithItsThreePools() {
        // When
        PlacementDecision decision = Placement.decide(dbVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("sim-1", "sim-2");
        assertThat(((Placed) decision).candidates()).allSatisfy(c -> assertThat(c.pciAddresses()).isEmpty());
    }
}
