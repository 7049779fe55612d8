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

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.host.HostInventory.Pool;
import io.vmplane.store.Usage;

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

    @Test
    void shouldNeedStorageOvercommitForDbVmOnTestDriverPoolsOf100Gib() {
        // Given: libvirt's test driver reports every simulated pool as 100 GiB, whatever the fixture declares
        List<HostView> at1 = List.of(testDriverView(sim1(), 1.0), testDriverView(sim2(), 1.0));
        List<HostView> at8 = List.of(testDriverView(sim1(), 8.0), testDriverView(sim2(), 8.0));

        // When
        PlacementDecision strict = Placement.decide(dbVm(), at1, PlacementStrategy.SPREAD);
        PlacementDecision thin = Placement.decide(dbVm(), at8, PlacementStrategy.SPREAD);

        // Then
        assertThat(strict.rejections()).extracting(Rejection::detail)
                .containsOnly("pool 'bulk' has 100 GiB free < 500 GiB");
        assertThat(candidateIds(thin)).containsExactly("sim-1", "sim-2");
    }

    private static HostView testDriverView(HostInventory host, double storageOvercommit) {
        long gib100 = 100 * Fixtures.GIB;
        List<Pool> pools = host.storagePools().stream()
                .map(p -> new Pool(p.name(), p.active(), gib100, gib100, p.volumes())).toList();
        HostInventory reported = new HostInventory(host.hostId(), host.hypervisor(), host.consoleAddress(),
                host.pinnedOnly(), host.vcpus(), host.memoryMib(), pools, host.pciDevices(), host.at());
        HostLimits limits = HostLimits.of(reported, 4.0, 1.0);
        return new HostView(reported, limits.vcpuLimit(), limits.memoryLimitMib(),
                HostLimits.poolLimits(reported, storageOvercommit), Usage.NONE, HostStatus.UP);
    }
}
