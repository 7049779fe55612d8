package io.vmplane.agent.lifecycle;

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

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;
import io.vmplane.agent.hypervisor.VirtType;
import io.vmplane.agent.provision.ProvisionHandler;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.DiskSpec.Action;
import io.vmplane.schemas.vm.DiskSpec.Bus;
import io.vmplane.schemas.vm.DiskSpec.Format;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * Stop, start, reboot and delete against a simulated host (libvirt's test driver, a fresh host per test), each
 * delivered twice: the second delivery finds its work done and only reports it.
 */
class SimulatedHostLifecycleIT {

    private static final String HOST = "sim-1";

    @TempDir
    Path dir;

    private Hypervisor hypervisor;
    private ProvisionHandler provision;
    private LifecycleHandler lifecycle;
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger inventoryChanges = new AtomicInteger();

    @BeforeEach
    void connectToFreshSimulatedHost() {
        String uri = Libvirt.testUri(Libvirt.writeSimulatedHost(dir, HOST, false));
        hypervisor = new LibvirtHypervisor(uri, VirtType.AUTO,
                new KvmProbeSettings(HOST, Optional.empty(), Duration.ofSeconds(6)));
        var identity = new ProvisionHandler.Identity(HOST, "it-sim", "127.0.0.1");
        provision = new ProvisionHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
        lifecycle = new LifecycleHandler(hypervisor, identity, Clock.systemUTC(), events::add,
                inventoryChanges::incrementAndGet);
    }

    @AfterEach
    void close() {
        hypervisor.close();
    }

    @Test
    void shouldStopStartRebootAndDeleteAVmEachTwiceAndKeepTheIsoAndTheAttachedVolume() {
        // Given a VM with the ISO, disks in two pools and an attached volume, running
        hypervisor.createVolume("bulk", "data.img", 1L << 30, Format.RAW);
        String vmId = VmIds.newVmId();
        provision.handle(new HostCommand.ProvisionVm("cmd-0", HOST, vmId, 1, spec(), List.of(), future()));
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);
        events.clear();

        // When each command is delivered twice
        twice(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 30, false, future()));
        Optional<DomainStatus> afterStop = hypervisor.domain(vmId);
        twice(new HostCommand.StartDomain("cmd-3", HOST, vmId, 3, future()));
        Optional<DomainStatus> afterStart = hypervisor.domain(vmId);
        twice(new HostCommand.RebootDomain("cmd-4", HOST, vmId, 4, future()));
        Optional<DomainStatus> afterReboot = hypervisor.domain(vmId);
        twice(new HostCommand.DeleteDomain("cmd-5", HOST, vmId, 5, true, future()));

        // Then every delivery ends its generation with the state it aimed at, and nothing failed
        assertThat(events).extracting(VmEvent::status).containsExactly(VmStatus.STOPPED, VmStatus.STOPPED,
                VmStatus.RUNNING, VmStatus.RUNNING, VmStatus.RUNNING, VmStatus.RUNNING, VmStatus.DELETED,
                VmStatus.DELETED);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.reason()).as("%s", e).isNull();
            assertThat(e.host()).isEqualTo(HOST);
            assertThat(e.version()).isEqualTo(VmEvent.version(e.generation(), VmEvent.Phase.FINAL));
        });
        assertThat(events).extracting(VmEvent::generation).containsExactly(2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L);
        assertThat(events.get(0).domainXml()).contains("<name>" + vmId + "</name>");
        assertThat(events.get(2).domainXml()).contains("<name>" + vmId + "</name>");
        assertThat(afterStop).map(DomainStatus::power).contains(DomainStatus.Power.SHUT_OFF);
        assertThat(afterStart).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
        assertThat(afterReboot).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
        assertThat(hypervisor.domain(vmId)).isEmpty();
        assertThat(hypervisor.volumes()).containsExactlyInAnyOrder(new VolumeRef("default", "ubuntu.iso"),
                new VolumeRef("bulk", "data.img"));
        assertThat(inventoryChanges).hasValue(8);
    }

    @Test
    void shouldLeaveAnotherStacksDomainOfTheSameNameAlone() {
        // Given a running VM of this stack ("it-sim") with disks, and an agent of another stack on the same libvirt
        hypervisor.createVolume("bulk", "data.img", 1L << 30, Format.RAW);
        String vmId = VmIds.newVmId();
        provision.handle(new HostCommand.ProvisionVm("cmd-0", HOST, vmId, 1, spec(), List.of(), future()));
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);
        List<VolumeRef> volumesBefore = hypervisor.volumes();
        events.clear();
        var other = new ProvisionHandler.Identity(HOST, "it-other", "127.0.0.1");
        var otherProvision = new ProvisionHandler(hypervisor, other, Clock.systemUTC(), events::add, () -> { });
        var otherLifecycle = new LifecycleHandler(hypervisor, other, Clock.systemUTC(), events::add, () -> { });

        // When the other stack provisions, stops and deletes (with volumes) a VM of the same id
        otherProvision.handle(new HostCommand.ProvisionVm("cmd-9", HOST, vmId, 1, spec(), List.of(), future()));
        otherLifecycle.handle(new HostCommand.StopDomain("cmd-10", HOST, vmId, 2, 30, true, future()));
        otherLifecycle.handle(new HostCommand.DeleteDomain("cmd-11", HOST, vmId, 3, true, future()));

        // Then its provision and stop fail naming the owner, its delete ends its VM, and the domain, its state and
        // its volumes are untouched
        assertThat(events).extracting(VmEvent::status).containsExactly(VmStatus.PROVISIONING, VmStatus.FAILED,
                VmStatus.FAILED, VmStatus.DELETED);
        assertThat(events.get(1).reason()).isEqualTo(FailureCode.LIBVIRT_ERROR);
        assertThat(events.get(1).message()).contains("belongs to stack it-sim").contains("left alone");
        assertThat(events.get(2).message()).contains("belongs to stack it-sim");
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
        assertThat(hypervisor.volumes()).containsExactlyInAnyOrderElementsOf(volumesBefore);
    }

    @Test
    void shouldKeepTheVolumesWhenDeletingWithoutThem() {
        // Given a running VM
        hypervisor.createVolume("bulk", "data.img", 1L << 30, Format.RAW);
        String vmId = VmIds.newVmId();
        provision.handle(new HostCommand.ProvisionVm("cmd-0", HOST, vmId, 1, spec(), List.of(), future()));

        // When
        lifecycle.handle(new HostCommand.DeleteDomain("cmd-2", HOST, vmId, 2, false, future()));

        // Then
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.DELETED);
        assertThat(hypervisor.domain(vmId)).isEmpty();
        assertThat(hypervisor.volumes()).contains(new VolumeRef("default", vmId + "-disk0.qcow2"),
                new VolumeRef("fast", vmId + "-disk1.qcow2"));
    }

    @Test
    void shouldLeaveTheVmRunningAndReportTimeoutWhenTheStopsDeadlinePassed() {
        // Given a running VM
        hypervisor.createVolume("bulk", "data.img", 1L << 30, Format.RAW);
        String vmId = VmIds.newVmId();
        provision.handle(new HostCommand.ProvisionVm("cmd-0", HOST, vmId, 1, spec(), List.of(), future()));
        events.clear();

        // When its stop comes after the deadline
        lifecycle.handle(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 30, true,
                Instant.now().minus(1, ChronoUnit.SECONDS)));

        // Then
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.RUNNING);
            assertThat(e.reason()).isEqualTo(FailureCode.TIMEOUT);
            assertThat(e.version()).isEqualTo(VmEvent.version(2, VmEvent.Phase.FINAL));
        });
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
    }

    @Test
    void shouldReportAVmWhoseDomainIsGoneAsLostWhenAskedToStartIt() {
        // Given no domain for the VM
        String vmId = VmIds.newVmId();

        // When
        lifecycle.handle(new HostCommand.StartDomain("cmd-2", HOST, vmId, 2, future()));

        // Then
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.FAILED);
            assertThat(e.reason()).isEqualTo(FailureCode.HOST_LOST);
            assertThat(e.message()).contains(vmId);
        });
    }

    private void twice(HostCommand command) {
        lifecycle.handle(command);
        lifecycle.handle(command);
    }

    private static VmSpec spec() {
        return new VmSpec("life", 512, 1, new StorageSpec("default", "ubuntu.iso", List.of(
                new DiskSpec(Action.CREATE, 1L, "default", null, Format.QCOW2, Bus.VIRTIO),
                new DiskSpec(Action.CREATE, 2L, "fast", null, Format.QCOW2, Bus.VIRTIO),
                new DiskSpec(Action.ATTACH, null, "bulk", "data.img", Format.RAW, Bus.VIRTIO))), null, null, null);
    }

    private static Instant future() {
        return Instant.now().plus(10, ChronoUnit.MINUTES);
    }
}
