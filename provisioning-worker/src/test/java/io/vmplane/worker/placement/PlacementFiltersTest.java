package io.vmplane.worker.placement;

import static io.vmplane.worker.placement.Fixtures.GIB;
import static io.vmplane.worker.placement.Fixtures.pinned;
import static io.vmplane.worker.placement.Fixtures.sim1;
import static io.vmplane.worker.placement.Fixtures.sim2;
import static io.vmplane.worker.placement.Fixtures.simHost;
import static io.vmplane.worker.placement.Fixtures.sized;
import static io.vmplane.worker.placement.Fixtures.small;
import static io.vmplane.worker.placement.Fixtures.testVm;
import static io.vmplane.worker.placement.Fixtures.up;
import static io.vmplane.worker.placement.Fixtures.usage;
import static io.vmplane.worker.placement.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.host.HostInventory.Pool;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.store.Usage;
import io.vmplane.worker.placement.PlacementDecision.NoValidHost;
import io.vmplane.worker.placement.PlacementDecision.Placed;
import io.vmplane.worker.placement.Rejection.Reason;
import org.junit.jupiter.api.Test;

class PlacementFiltersTest {

    @Test
    void shouldRejectUnreachableAndDegradedHosts() {
        // Given
        List<HostView> hosts = List.of(view(sim1(), Usage.NONE, HostStatus.UNREACHABLE),
                view(sim2(), Usage.NONE, HostStatus.DEGRADED));

        // When
        PlacementDecision decision = Placement.decide(testVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision).isInstanceOf(NoValidHost.class);
        assertThat(decision.rejections()).extracting(Rejection::reason)
                .containsExactly(Reason.HOST_NOT_UP, Reason.HOST_NOT_UP);
        assertThat(((NoValidHost) decision).message())
                .contains("sim-1: host is unreachable").contains("sim-2: host is degraded");
    }

    @Test
    void shouldSkipPinnedOnlyHostForUnpinnedVm() {
        // Given
        List<HostView> hosts = List.of(up(pinnedOnly("qemu-1")), up(sim2()));

        // When
        PlacementDecision decision = Placement.decide(testVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("sim-2");
        assertThat(decision.rejections()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(Reason.PINNED_ONLY));
    }

    @Test
    void shouldPlaceOnPinnedOnlyHostWhenPinnedToIt() {
        // Given
        List<HostView> hosts = List.of(up(pinnedOnly("qemu-1")), up(sim2()));

        // When
        PlacementDecision decision = Placement.decide(pinned(testVm(), "qemu-1"), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(decision)).containsExactly("qemu-1");
        assertThat(decision.rejections()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(Reason.NOT_PINNED_HOST));
    }

    @Test
    void shouldFailNamingUnknownPinnedHost() {
        // Given
        List<HostView> hosts = List.of(up(sim1()), up(sim2()));

        // When
        PlacementDecision decision = Placement.decide(pinned(testVm(), "sim-9"), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision).isInstanceOfSatisfying(NoValidHost.class,
                d -> assertThat(d.message()).contains("pinned host 'sim-9' is not a known host"));
    }

    @Test
    void shouldFailPinnedVmWhenItsHostIsFull() {
        // Given
        List<HostView> hosts = List.of(view(sim1(), usage(0, 65536), HostStatus.UP), up(sim2()));

        // When
        PlacementDecision decision = Placement.decide(pinned(testVm(), "sim-1"), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision).isInstanceOf(NoValidHost.class);
        assertThat(decision.rejections()).extracting(Rejection::reason)
                .containsExactly(Reason.INSUFFICIENT_MEMORY, Reason.NOT_PINNED_HOST);
    }

    @Test
    void shouldCountClaimedVcpusAgainstOvercommittedLimit() {
        // Given: 32 CPUs × 4.0 = 128 vCPUs, 125 of them claimed
        List<HostView> hosts = List.of(view(sim2(), usage(125, 0), HostStatus.UP));

        // When
        PlacementDecision fits = Placement.decide(sized("three", 3, 1024), hosts, PlacementStrategy.SPREAD);
        PlacementDecision tooMany = Placement.decide(sized("four", 4, 1024), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(candidateIds(fits)).containsExactly("sim-2");
        assertThat(tooMany.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.INSUFFICIENT_VCPUS);
            assertThat(r.detail()).isEqualTo("free vCPUs 3 < 4");
        });
    }

    @Test
    void shouldRejectHostWithoutFreeMemory() {
        // Given: 64 GiB × 1.0, 62 GiB claimed
        List<HostView> hosts = List.of(view(sim2(), usage(0, 63488), HostStatus.UP));

        // When
        PlacementDecision decision = Placement.decide(testVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.INSUFFICIENT_MEMORY);
            assertThat(r.detail()).isEqualTo("free memory 2048 MiB < 4096 MiB");
        });
    }

    @Test
    void shouldRejectHostMissingAPoolTheVmNeeds() {
        // Given
        HostInventory onlyDefault = new HostInventory("small-1", "test", "127.0.0.1", false, 8, 16384,
                List.of(new Pool("default", true, 100 * GIB, 100 * GIB, List.of("ubuntu.iso"))), List.of(),
                Instant.EPOCH);

        // When
        PlacementDecision decision = Placement.decide(Fixtures.dbVm(), List.of(up(onlyDefault)),
                PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.POOL_MISSING);
            assertThat(r.detail()).isEqualTo("no storage pool 'bulk'");
        });
    }

    @Test
    void shouldRejectPoolWithoutRoomOnceClaimsAreCounted() {
        // Given: bulk has 2000 GiB available, 1600 GiB of it claimed; db-vm needs 500 GiB there
        Usage claims = new Usage(0, 0, Set.of(), Map.of("bulk", 1600 * GIB));
        List<HostView> hosts = List.of(view(sim2(), claims, HostStatus.UP));

        // When
        PlacementDecision decision = Placement.decide(Fixtures.dbVm(), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.INSUFFICIENT_STORAGE);
            assertThat(r.detail()).isEqualTo("pool 'bulk' has 400 GiB free < 500 GiB");
        });
    }

    @Test
    void shouldRejectHostWhoseDefaultPoolLacksTheBootIso() {
        // Given
        VmSpec otherIso = new VmSpec("iso-vm", 1024, 1, new StorageSpec("default", "debian.iso", List.of()),
                List.of(), null, null);

        // When
        PlacementDecision decision = Placement.decide(otherIso, List.of(up(sim2())), PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.BOOT_ISO_MISSING);
            assertThat(r.detail()).isEqualTo("boot ISO 'debian.iso' is not a volume of pool 'default'");
        });
    }

    @Test
    void shouldSayNoHostsAreRegistered() {
        // When
        PlacementDecision decision = Placement.decide(small("lonely"), List.of(), PlacementStrategy.SPREAD);

        // Then
        assertThat(decision).isInstanceOfSatisfying(NoValidHost.class,
                d -> assertThat(d.message()).endsWith("no hosts are registered"));
    }

    @Test
    void shouldSummariseEveryHostsReasonWhenNothingFits() {
        // Given
        List<HostView> hosts = List.of(up(sim1()), up(sim2()));

        // When
        PlacementDecision decision = Placement.decide(sized("huge", 4, 131072), hosts, PlacementStrategy.SPREAD);

        // Then
        assertThat(decision).isInstanceOfSatisfying(NoValidHost.class, d -> assertThat(d.message()).isEqualTo(
                "no valid host for 'huge' (4 vCPUs, 131072 MiB): sim-1: free memory 65536 MiB < 131072 MiB; "
                        + "sim-2: free memory 65536 MiB < 131072 MiB"));
    }

    static HostInventory pinnedOnly(String id) {
        HostInventory sim = simHost(id, List.of());
        return new HostInventory(id, "qemu", "127.0.0.1", true, 2, 8192, sim.storagePools(), List.of(), sim.at());
    }

    static List<String> candidateIds(PlacementDecision decision) {
        assertThat(decision).isInstanceOf(Placed.class);
        return ((Placed) decision).candidates().stream().map(Candidate::hostId).toList();
    }
}
