package io.vmplane.worker.placement;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.host.HostInventory.PciDevice;
import io.vmplane.schemas.host.HostInventory.Pool;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.PlacementSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.store.Usage;

/** Plain values for placement tests: the local stack's simulated hosts and the seed's example requests. */
final class Fixtures {

    static final long GIB = 1L << 30;
    static final String GPU = "0000:3b:00.0";

    private Fixtures() {
    }

    /** A simulated host as the fixtures describe it: 32 CPUs, 64 GiB, pools default (with ubuntu.iso), fast, bulk. */
    static HostInventory simHost(String id, List<PciDevice> devices) {
        return new HostInventory(id, "test", "127.0.0.1", false, 32, 65536, List.of(
                new Pool("default", true, 200 * GIB, 200 * GIB, List.of("ubuntu.iso")),
                new Pool("fast", true, 500 * GIB, 500 * GIB, List.of()),
                new Pool("bulk", true, 2000 * GIB, 2000 * GIB, List.of())), devices, Instant.EPOCH);
    }

    static HostInventory sim1() {
        return simHost("sim-1", List.of(new PciDevice(GPU, "10de", "1eb8", 30, false)));
    }

    static HostInventory sim2() {
        return simHost("sim-2", List.of());
    }

    /** A view with the default overcommit (vCPU 4.0, memory 1.0), no claims, up. */
    static HostView up(HostInventory inventory) {
        return view(inventory, Usage.NONE, HostStatus.UP);
    }

    static HostView view(HostInventory inventory, Usage usage, HostStatus status) {
        HostLimits limits = HostLimits.of(inventory, 4.0, 1.0);
        return new HostView(inventory, limits.vcpuLimit(), limits.memoryLimitMib(), HostLimits.poolLimits(inventory, 1.0),
                usage, status);
    }

    static Usage usage(int vcpus, long memoryMib) {
        return new Usage(vcpus, memoryMib, Set.of(), Map.of());
    }

    static DiskSpec create(long sizeGib, String pool) {
        return new DiskSpec(DiskSpec.Action.CREATE, sizeGib, pool, null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO);
    }

    /** {@code test-vm} from INTERFACE.md. */
    static VmSpec testVm() {
        return new VmSpec("test-vm", 4096, 2, new StorageSpec("default", "ubuntu.iso", List.of(create(20, "default"))),
                List.of(), null, null);
    }

    /** {@code gpu-vm} from INTERFACE.md. */
    static VmSpec gpuVm() {
        return new VmSpec("gpu-vm", 8192, 4, new StorageSpec("default", "ubuntu.iso", List.of(create(40, "default"))),
                List.of(new PciDeviceSpec(null, "10de", "1eb8")), GraphicsSpec.DEFAULT, null);
    }

    /** {@code db-vm} from INTERFACE.md. */
    static VmSpec dbVm() {
        return new VmSpec("db-vm", 4096, 2, new StorageSpec("default", null,
                List.of(create(20, "default"), create(100, "fast"), create(500, "bulk"))), List.of(), null, null);
    }

    static VmSpec small(String name) {
        return new VmSpec(name, 1024, 1, new StorageSpec("default", null, List.of(create(1, "default"))), List.of(),
                null, null);
    }

    static VmSpec withPci(VmSpec spec, PciDeviceSpec... devices) {
        return new VmSpec(spec.name(), spec.memory(), spec.vcpus(), spec.storage(), List.of(devices),
                spec.graphics(), spec.placement());
    }

    static VmSpec pinned(VmSpec spec, String host) {
        return new VmSpec(spec.name(), spec.memory(), spec.vcpus(), spec.storage(), spec.pciDevices(),
                spec.graphics(), new PlacementSpec(host));
    }

    static VmSpec sized(String name, int vcpus, int memoryMib) {
        return new VmSpec(name, memoryMib, vcpus, new StorageSpec("default", null, List.of()), List.of(), null, null);
    }
}
