package io.vmplane.worker.placement;

import static io.vmplane.worker.placement.Fixtures.GPU;
import static io.vmplane.worker.placement.Fixtures.simHost;
import static io.vmplane.worker.placement.Fixtures.small;
import static io.vmplane.worker.placement.Fixtures.up;
import static io.vmplane.worker.placement.Fixtures.view;
import static io.vmplane.worker.placement.Fixtures.withPci;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.host.HostInventory.PciDevice;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.store.Usage;
import io.vmplane.worker.placement.PlacementDecision.Placed;
import io.vmplane.worker.placement.Rejection.Reason;
import org.junit.jupiter.api.Test;

class PciPlacementTest {

    private static final String GPU_AUDIO = "0000:3b:00.1";
    private static final String NIC_A = "0000:5e:00.0";
    private static final String NIC_B = "0000:5e:00.1";

    /** A GPU sharing IOMMU group 30 with its audio function, and two NICs each alone in its group. */
    private static HostInventory host() {
        return simHost("pci-1", List.of(
                new PciDevice(GPU, "10de", "1eb8", 30, false),
                new PciDevice(GPU_AUDIO, "10de", "10f8", 30, false),
                new PciDevice(NIC_A, "8086", "1572", 41, false),
                new PciDevice(NIC_B, "8086", "1572", 42, false)));
    }

    @Test
    void shouldResolveVendorAndProductToAFreeDevice() {
        // Given
        VmSpec vm = withPci(small("nic-vm"), byModel("8086", "1572"));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(host())), PlacementStrategy.SPREAD);

        // Then
        assertThat(only(decision).pciAddresses()).containsExactly(NIC_A);
    }

    @Test
    void shouldNotPickDeviceClaimedByAnotherVm() {
        // Given
        Usage claims = new Usage(0, 0, Set.of(NIC_A), Map.of());
        VmSpec vm = withPci(small("nic-vm"), byModel("8086", "1572"));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(view(host(), claims, HostStatus.UP)),
                PlacementStrategy.SPREAD);

        // Then
        assertThat(only(decision).pciAddresses()).containsExactly(NIC_B);
    }

    @Test
    void shouldRejectDeviceInUseByADomain() {
        // Given
        HostInventory busy = simHost("busy-1", List.of(new PciDevice(GPU, "10de", "1eb8", 30, true)));
        VmSpec vm = withPci(small("gpu"), byAddress(GPU));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(busy)), PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.PCI_DEVICE_UNAVAILABLE);
            assertThat(r.detail()).isEqualTo("PCI device 0000:3b:00.0 is in use by a domain on the host");
        });
    }

    @Test
    void shouldRejectDeviceWhoseIommuGroupMateIsClaimed() {
        // Given: the GPU's audio function is held by another VM
        Usage claims = new Usage(0, 0, Set.of(GPU_AUDIO), Map.of());
        VmSpec vm = withPci(small("gpu"), byModel("10de", "1eb8"));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(view(host(), claims, HostStatus.UP)),
                PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.PCI_DEVICE_UNAVAILABLE);
            assertThat(r.detail()).isEqualTo("no free PCI device 10de:1eb8 (0000:3b:00.0 shares IOMMU group 30 "
                    + "with 0000:3b:00.1, which is claimed by another VM)");
        });
    }

    @Test
    void shouldGiveOneVmEveryDeviceOfAnIommuGroup() {
        // Given
        VmSpec vm = withPci(small("gpu"), byModel("10de", "10f8"), byAddress(GPU));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(host())), PlacementStrategy.SPREAD);

        // Then: addresses come back in request order
        assertThat(only(decision).pciAddresses()).containsExactly(GPU_AUDIO, GPU);
    }

    @Test
    void shouldNotGiveTheSameDeviceTwice() {
        // Given: two GPUs requested, the host has one
        VmSpec vm = withPci(small("two-gpus"), byModel("10de", "1eb8"), byModel("10de", "1eb8"));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(host())), PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement().satisfies(r -> assertThat(r.detail())
                .isEqualTo("no free PCI device 10de:1eb8 (0000:3b:00.0 is already requested by this VM)"));
    }

    @Test
    void shouldServeAddressRequestsBeforeModelRequests() {
        // Given: a model request first would take NIC_A, which the second request names
        VmSpec vm = withPci(small("nics"), byModel("8086", "1572"), byAddress(NIC_A));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(host())), PlacementStrategy.SPREAD);

        // Then
        assertThat(only(decision).pciAddresses()).containsExactly(NIC_B, NIC_A);
    }

    @Test
    void shouldRejectAddressTheHostDoesNotHave() {
        // Given
        VmSpec vm = withPci(small("ghost"), byAddress("0000:99:00.0"));

        // When
        PlacementDecision decision = Placement.decide(vm, List.of(up(host())), PlacementStrategy.SPREAD);

        // Then
        assertThat(decision.rejections()).singleElement()
                .satisfies(r -> assertThat(r.detail()).isEqualTo("PCI device 0000:99:00.0 is not present"));
    }

    private static PciDeviceSpec byModel(String vendor, String product) {
        return new PciDeviceSpec(null, vendor, product);
    }

    private static PciDeviceSpec byAddress(String address) {
        return new PciDeviceSpec(address, null, null);
    }

    private static Candidate only(PlacementDecision decision) {
        assertThat(decision).isInstanceOf(Placed.class);
        assertThat(((Placed) decision).candidates()).hasSize(1);
        return ((Placed) decision).candidates().get(0);
    }
}
