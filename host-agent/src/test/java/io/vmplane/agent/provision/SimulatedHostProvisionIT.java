package io.vmplane.agent.provision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.HostFacts;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;
import io.vmplane.agent.hypervisor.VirtType;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.DiskSpec.Action;
import io.vmplane.schemas.vm.DiskSpec.Bus;
import io.vmplane.schemas.vm.DiskSpec.Format;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * The provision handler against a simulated host (libvirt's test driver, a fresh host per test): the seed's
 * examples, redelivery, clean-up after failures and expired deadlines.
 */
class SimulatedHostProvisionIT {

    private static final String HOST = "sim-1";
    private static final String GPU = "0000:3b:00.0";

    @TempDir
    Path dir;

    private Hypervisor hypervisor;
    private ProvisionHandler handler;
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger inventoryChanges = new AtomicInteger();

    @BeforeEach
    void connectToFreshSimulatedHost() {
        String uri = Libvirt.testUri(Libvirt.writeSimulatedHost(dir, HOST, true));
        hypervisor = new LibvirtHypervisor(uri, VirtType.AUTO,
                new KvmProbeSettings(HOST, Optional.empty(), Duration.ofSeconds(6)));
        handler = new ProvisionHandler(hypervisor, new ProvisionHandler.Identity(HOST, "it-sim", "127.0.0.1"),
                Clock.systemUTC(), events::add, inventoryChanges::incrementAndGet);
    }

    @AfterEach
    void close() {
        hypervisor.close();
    }

    @Test
    void shouldReportTheSimulatedHostsInventory() {
        // When
        HostFacts facts = hypervisor.facts();

        // Then
        assertThat(hypervisor.kind()).isEqualTo("test");
        assertThat(facts.vcpus()).isEqualTo(32);
        assertThat(facts.memoryMib()).isEqualTo(64 * 1024);
        assertThat(facts.pools()).extracting(HostInventory.Pool::name).containsExactlyInAnyOrder("default", "fast",
                "bulk");
        assertThat(pool(facts, "default").volumes()).containsExactly("ubuntu.iso");
        assertThat(pool(facts, "fast").capacityBytes()).isEqualTo(4L << 40);
        assertThat(facts.pciDevices()).containsExactly(
                new HostInventory.PciDevice(GPU, "10de", "1eb8", 30, false));
    }

    @Test
    void shouldProvisionGpuVmWithCdromAndHostdev() {
        // Given the seed's gpu-vm, placed on sim-1 with the GPU claimed
        String vmId = VmIds.newVmId();
        VmSpec spec = new VmSpec("gpu-vm", 8192, 4,
                new StorageSpec("default", "ubuntu.iso", List.of(create(40, "default"))),
                List.of(new PciDeviceSpec(null, "10de", "1eb8")), GraphicsSpec.DEFAULT, null);

        // When
        handler.handle(command(vmId, spec, List.of(GPU), future()));

        // Then
        assertThat(events).extracting(VmEvent::status).containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING);
        VmEvent running = events.get(1);
        assertThat(running.host()).isEqualTo(HOST);
        assertThat(running.version()).isEqualTo(VmEvent.version(1, VmEvent.Phase.FINAL));
        assertThat(running.domainXml())
                .contains("<name>" + vmId + "</name>")
                .contains("<source pool='default' volume='ubuntu.iso'/>")
                .contains("device='cdrom'")
                .contains("<address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/>")
                .contains("it-sim</vmplane:stack>");
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
        HostFacts facts = hypervisor.facts();
        assertThat(pool(facts, "default").volumes()).contains(vmId + "-disk0.qcow2");
        assertThat(facts.pciDevices()).singleElement().extracting(HostInventory.PciDevice::inUse).isEqualTo(true);
        assertThat(inventoryChanges).hasValue(1);
    }

    @Test
    void shouldProvisionDbVmWithVolumesInThreePools() {
        // Given the seed's db-vm: 20 GiB in default, 100 GiB in fast, 500 GiB in bulk (more than the 100 GiB
        // the test driver gives a pool: volumes are thin)
        String vmId = VmIds.newVmId();

        // When
        handler.handle(command(vmId, dbVm(), List.of(), future()));

        // Then
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);
        HostFacts facts = hypervisor.facts();
        assertThat(pool(facts, "default").volumes()).contains(vmId + "-disk0.qcow2");
        assertThat(pool(facts, "fast").volumes()).containsExactly(vmId + "-disk1.qcow2");
        assertThat(pool(facts, "bulk").volumes()).containsExactly(vmId + "-disk2.qcow2");
        assertThat(events.get(1).domainXml()).doesNotContain("device='cdrom'");
    }

    @Test
    void shouldCreateNothingTwiceOnRedelivery() {
        // Given a db-vm provisioned once
        String vmId = VmIds.newVmId();
        HostCommand.ProvisionVm command = command(vmId, dbVm(), List.of(), future());
        handler.handle(command);
        HostFacts before = hypervisor.facts();

        // When the same command is delivered again
        handler.handle(command);

        // Then it reports the running VM again and the host holds the same volumes and one domain
        assertThat(events).extracting(VmEvent::status).containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING,
                VmStatus.PROVISIONING, VmStatus.RUNNING);
        assertThat(events.get(3).domainXml()).contains("<name>" + vmId + "</name>");
        assertThat(hypervisor.facts().pools()).isEqualTo(before.pools());
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
    }

    @Test
    void shouldLeaveNoVolumeOfTheFirstDiskWhenTheSecondDiskPoolIsMissing() {
        // Given a second disk in a pool the host does not have
        String vmId = VmIds.newVmId();
        VmSpec spec = new VmSpec("broken", 512, 1,
                new StorageSpec("default", null, List.of(create(1, "default"), create(1, "nope"))), null, null, null);

        // When
        handler.handle(command(vmId, spec, List.of(), future()));

        // Then
        VmEvent failed = events.get(events.size() - 1);
        assertThat(failed.status()).isEqualTo(VmStatus.FAILED);
        assertThat(failed.reason()).isEqualTo(FailureCode.POOL_NOT_FOUND);
        assertThat(failed.message()).contains("nope");
        assertThat(pool(hypervisor.facts(), "default").volumes()).containsExactly("ubuntu.iso");
        assertThat(hypervisor.domain(vmId)).isEmpty();
    }

    @Test
    void shouldRemoveTheVolumesItCreatedWhenLibvirtRefusesTheDomain() {
        // Given another domain already holding the uuid the VM's domain must have
        String vmId = VmIds.newVmId();
        hypervisor.defineDomain("<domain type='test'><name>squatter</name><uuid>" + VmIds.uuidOf(vmId)
                + "</uuid><memory unit='MiB'>128</memory><os><type>hvm</type></os></domain>");

        // When
        handler.handle(command(vmId, dbVm(), List.of(), future()));

        // Then the failure carries libvirt's message and every volume this attempt made is gone
        VmEvent failed = events.get(events.size() - 1);
        assertThat(failed.reason()).isEqualTo(FailureCode.LIBVIRT_ERROR);
        assertThat(failed.message()).contains("squatter");
        HostFacts facts = hypervisor.facts();
        assertThat(pool(facts, "default").volumes()).containsExactly("ubuntu.iso");
        assertThat(pool(facts, "fast").volumes()).isEmpty();
        assertThat(pool(facts, "bulk").volumes()).isEmpty();
        assertThat(hypervisor.domain(vmId)).isEmpty();
    }

    @Test
    void shouldFailWithTimeoutAndTouchNothingWhenTheDeadlinePassed() {
        // Given a command whose deadline is over
        String vmId = VmIds.newVmId();
        Instant past = Instant.now().minus(1, ChronoUnit.SECONDS);

        // When
        handler.handle(command(vmId, dbVm(), List.of(), past));

        // Then
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.FAILED);
            assertThat(e.reason()).isEqualTo(FailureCode.TIMEOUT);
            assertThat(e.version()).isEqualTo(VmEvent.version(1, VmEvent.Phase.FINAL));
        });
        assertThat(hypervisor.domain(vmId)).isEmpty();
        assertThat(pool(hypervisor.facts(), "fast").volumes()).isEmpty();
    }

    @Test
    void shouldFailWithVolumeNotFoundForMissingIsoOrAttachedVolume() {
        // Given a VM booting from an ISO the pool lacks, and one attaching a volume that does not exist
        VmSpec noIso = new VmSpec("no-iso", 512, 1,
                new StorageSpec("default", "missing.iso", List.of(create(1, "fast"))), null, null, null);
        VmSpec noVolume = new VmSpec("no-volume", 512, 1, new StorageSpec("default", null,
                List.of(new DiskSpec(Action.ATTACH, null, "bulk", "data.img", Format.RAW, Bus.VIRTIO))),
                null, null, null);

        // When
        handler.handle(command(VmIds.newVmId(), noIso, List.of(), future()));
        handler.handle(command(VmIds.newVmId(), noVolume, List.of(), future()));

        // Then
        assertThat(events).filteredOn(e -> e.status() == VmStatus.FAILED).extracting(VmEvent::reason)
                .containsExactly(FailureCode.VOLUME_NOT_FOUND, FailureCode.VOLUME_NOT_FOUND);
        assertThat(pool(hypervisor.facts(), "fast").volumes()).isEmpty();
    }

    @Test
    void shouldAttachAnExistingVolume() {
        // Given a volume already in the pool
        hypervisor.createVolume("bulk", "data.img", 1L << 30, Format.RAW);
        String vmId = VmIds.newVmId();
        VmSpec spec = new VmSpec("attach", 512, 1, new StorageSpec("default", null,
                List.of(new DiskSpec(Action.ATTACH, null, "bulk", "data.img", Format.RAW, Bus.SATA))),
                null, null, null);

        // When
        handler.handle(command(vmId, spec, List.of(), future()));

        // Then
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);
        assertThat(events.get(1).domainXml()).contains("<source pool='bulk' volume='data.img'/>");
    }

    private static VmSpec dbVm() {
        return new VmSpec("db-vm", 4096, 2, new StorageSpec("default", null,
                List.of(create(20, "default"), create(100, "fast"), create(500, "bulk"))), null, null, null);
    }

    private static DiskSpec create(long gib, String pool) {
        return new DiskSpec(Action.CREATE, gib, pool, null, Format.QCOW2, Bus.VIRTIO);
    }

    private static HostCommand.ProvisionVm command(String vmId, VmSpec spec, List<String> pci, Instant deadline) {
        return new HostCommand.ProvisionVm("cmd-" + vmId, HOST, vmId, 1, spec, pci, deadline);
    }

    private static Instant future() {
        return Instant.now().plus(10, ChronoUnit.MINUTES);
    }

    private static HostInventory.Pool pool(HostFacts facts, String name) {
        return facts.pools().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
