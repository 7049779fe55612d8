package io.vmplane.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * Stop and delete of a real QEMU VM on {@code qemu:///system}. The iPXE guest ignores the ACPI power button, so a
 * stop waits out its graceful timeout and forces the domain off. The domain type is QEMU/TCG (no KVM probe: this
 * test is about the life cycle, not the accelerator). Everything it creates carries its own stack id and is removed.
 */
class RealQemuLifecycleIT {

    private static final String HOST = "qemu-it-" + UUID.randomUUID().toString().substring(0, 8);

    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final String vmId = VmIds.newVmId();
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private Hypervisor hypervisor;
    private ProvisionHandler provision;
    private LifecycleHandler lifecycle;
    private ProvisionHandler.Identity identity;

    @BeforeEach
    void connectToTheRealHost() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.QEMU,
                new KvmProbeSettings(HOST, Optional.empty(), Duration.ofSeconds(6)));
        identity = new ProvisionHandler.Identity(HOST, stackId, "127.0.0.1");
        provision = new ProvisionHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
        lifecycle = new LifecycleHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
    }

    @AfterEach
    void removeWhatTheTestMade() {
        try {
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
            Libvirt.deleteVolumesStartingWith(Libvirt.SYSTEM_URI, vmId);
        }
        finally {
            hypervisor.close();
        }
    }

    @Test
    void shouldForceOffAGuestThatIgnoresAcpiThenDeleteItWithItsVolume() {
        // Given the 256 MiB VM booted from the ISO with a 1 GiB qcow2 disk, running
        VmSpec spec = new VmSpec("life-real", 256, 1, new StorageSpec("default", "ubuntu.iso", List.of(
                new DiskSpec(DiskSpec.Action.CREATE, 1L, "default", null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO))),
                List.of(), new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        provision.handle(new HostCommand.ProvisionVm("cmd-1", HOST, vmId, 1, spec, List.of(), future()));
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);

        // When it is stopped with a 2 s graceful timeout (the watcher forces it off and reports), then deleted with
        // its volumes
        lifecycle.handle(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 2, false, future()));
        VmEvent stopped = await().atMost(Duration.ofSeconds(30)).until(() -> events.get(events.size() - 1),
                event -> event.generation() == 2);
        Optional<DomainStatus> afterStop = hypervisor.domain(vmId);
        lifecycle.handle(new HostCommand.DeleteDomain("cmd-3", HOST, vmId, 3, true, future()));

        // Then the guest was forced off, and nothing of the VM is left but the shared ISO
        assertThat(stopped.status()).as("%s", stopped).isEqualTo(VmStatus.STOPPED);
        assertThat(stopped.reason()).isNull();
        assertThat(afterStop).map(DomainStatus::power).contains(DomainStatus.Power.SHUT_OFF);
        assertThat(afterStop).map(DomainStatus::reason).contains("destroyed");
        VmEvent deleted = events.get(events.size() - 1);
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(VmStatus.DELETED);
        assertThat(hypervisor.domain(vmId)).isEmpty();
        assertThat(hypervisor.volumes()).noneMatch(v -> v.volume().startsWith(vmId))
                .contains(new VolumeRef("default", "ubuntu.iso"));
    }

    @Test
    void shouldLeaveTheWaitForAnUnansweredAcpiShutdownOffTheCommandThreadUntilAForcedStopTakesOver()
            throws InterruptedException {
        // Given the VM running (its iPXE guest ignores ACPI)
        VmSpec spec = new VmSpec("life-wait", 256, 1, new StorageSpec("default", "ubuntu.iso", List.of()), List.of(),
                new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        provision.handle(new HostCommand.ProvisionVm("cmd-1", HOST, vmId, 1, spec, List.of(), future()));
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);

        // When a stop with a 120 s graceful timeout is handled, then redelivered
        lifecycle.handle(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 120, false, future()));
        lifecycle.handle(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 120, false, future()));

        // Then the command thread is free while the guest still runs: nothing is reported yet
        assertThat(lifecycle.pendingStops()).isEqualTo(1);
        assertThat(events).extracting(VmEvent::generation).containsOnly(1L);
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::active).contains(true);

        // And when a forced stop of the next generation comes, it takes over at once and the first is never reported
        lifecycle.handle(new HostCommand.StopDomain("cmd-3", HOST, vmId, 3, 0, true, future()));
        assertThat(lifecycle.pendingStops()).isZero();
        assertThat(events).last().satisfies(event -> {
            assertThat(event.generation()).isEqualTo(3);
            assertThat(event.status()).isEqualTo(VmStatus.STOPPED);
        });
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::active).contains(false);
        Thread.sleep(1000);
        assertThat(events).extracting(VmEvent::generation).doesNotContain(2L);
    }

    @Test
    void shouldFollowOnAGracefulStopAnAgentThatDiedHadBegun() {
        // Given the VM running, and an agent that began a 3 s graceful stop of it, then died
        VmSpec spec = new VmSpec("life-resume", 256, 1, new StorageSpec("default", "ubuntu.iso", List.of()),
                List.of(), new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        provision.handle(new HostCommand.ProvisionVm("cmd-1", HOST, vmId, 1, spec, List.of(), future()));
        lifecycle.handle(new HostCommand.StopDomain("cmd-2", HOST, vmId, 2, 3, false, future()));
        assertThat(lifecycle.pendingStops()).isEqualTo(1);
        lifecycle.close();

        // When the next agent starts
        var restarted = new LifecycleHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
        try {
            int resumed = restarted.resumePendingStops(hypervisor.stackDomains(stackId));

            // Then it follows the stop on: the guest is forced off at the recorded time and the stop reported once
            assertThat(resumed).isEqualTo(1);
            VmEvent stopped = await().atMost(Duration.ofSeconds(30)).until(() -> events.get(events.size() - 1),
                    event -> event.generation() == 2);
            assertThat(stopped.status()).isEqualTo(VmStatus.STOPPED);
            assertThat(hypervisor.domain(vmId)).map(DomainStatus::active).contains(false);
            assertThat(restarted.pendingStops()).isZero();
            assertThat(events).filteredOn(event -> event.generation() == 2).hasSize(1);
            // and the mark is gone with it: a later start follows nothing
            assertThat(restarted.resumePendingStops(hypervisor.stackDomains(stackId))).isZero();
        }
        finally {
            restarted.close();
        }
    }

    private static Instant future() {
        return Instant.now().plus(5, ChronoUnit.MINUTES);
    }
}
