package io.vmplane.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.DomainStatus.Power;
import io.vmplane.agent.hypervisor.Hypervisor.StackDomain;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;

class LifecycleRulesTest {

    private static final String VM = "vm-0b8f1c9e-2f5d-4c1a-9a43-5e1f7b2c3d4e";

    @Test
    void shouldCallAShutOffDomainStoppedAndAMissingOneDeleted() {
        // When / Then
        assertThat(LifecycleRules.vmStatus(Optional.of(new DomainStatus(Power.SHUT_OFF, "shutdown"))))
                .isEqualTo(VmStatus.STOPPED);
        assertThat(LifecycleRules.vmStatus(Optional.empty())).isEqualTo(VmStatus.DELETED);
    }

    @Test
    void shouldCallALiveDomainRunningAndACrashedOneFailed() {
        // When / Then
        assertThat(LifecycleRules.vmStatus(Optional.of(new DomainStatus(Power.RUNNING, "booted"))))
                .isEqualTo(VmStatus.RUNNING);
        assertThat(LifecycleRules.vmStatus(Optional.of(new DomainStatus(Power.PAUSED, "user"))))
                .isEqualTo(VmStatus.RUNNING);
        assertThat(LifecycleRules.vmStatus(Optional.of(new DomainStatus(Power.CRASHED, "panicked"))))
                .isEqualTo(VmStatus.FAILED);
    }

    @Test
    void shouldPickOnlyTheVolumesTheVmsProvisioningCreated() {
        // Given the VM's disks in three pools, the ISO, an attached volume, and another VM's disk whose id starts
        // with this one's
        List<VolumeRef> volumes = List.of(
                new VolumeRef("default", VM + "-disk0.qcow2"),
                new VolumeRef("fast", VM + "-disk1.img"),
                new VolumeRef("bulk", VM + "-disk12.qcow2"),
                new VolumeRef("default", "ubuntu.iso"),
                new VolumeRef("bulk", "data.img"),
                new VolumeRef("bulk", VM + "-disk0.qcow2.bak"),
                new VolumeRef("default", VM + "0-disk0.qcow2"));

        // When
        List<VolumeRef> own = LifecycleRules.createdVolumes(VM, volumes);

        // Then
        assertThat(own).containsExactly(new VolumeRef("default", VM + "-disk0.qcow2"),
                new VolumeRef("fast", VM + "-disk1.img"), new VolumeRef("bulk", VM + "-disk12.qcow2"));
    }

    @Test
    void shouldReportADomainStoppedWhileNoAgentWatchedAsObservedInItsReportedGeneration() {
        // Given a domain whose generation 3 ended running, found shut off by the restarted agent
        StackDomain domain = new StackDomain(VM, new DomainStatus(Power.SHUT_OFF, "shutdown"), OptionalLong.of(3),
                Optional.of(VmStatus.RUNNING), "<domain/>");
        Instant at = Instant.parse("2026-12-03T10:00:00Z");

        // When
        Optional<VmEvent> event = LifecycleRules.observed(domain, "qemu-1", "agent:qemu-1", at);

        // Then it says stopped, above generation 3's final event and below anything of generation 4
        assertThat(event).hasValueSatisfying(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.STOPPED);
            assertThat(e.generation()).isEqualTo(3);
            assertThat(e.version()).isEqualTo(VmEvent.version(3, VmEvent.Phase.OBSERVED))
                    .isGreaterThan(VmEvent.version(3, VmEvent.Phase.FINAL))
                    .isLessThan(VmEvent.version(4, VmEvent.Phase.ACCEPTED));
            assertThat(e.reason()).isNull();
            assertThat(e.host()).isEqualTo("qemu-1");
            assertThat(e.domainXml()).isEqualTo("<domain/>");
            assertThat(e.at()).isEqualTo(at);
        });
    }

    @Test
    void shouldReportACrashedDomainFailedWithLibvirtsState() {
        // Given
        StackDomain domain = new StackDomain(VM, new DomainStatus(Power.CRASHED, "panicked"), OptionalLong.of(1),
                Optional.of(VmStatus.RUNNING), "<domain/>");

        // When
        Optional<VmEvent> event = LifecycleRules.observed(domain, "qemu-1", "agent:qemu-1", Instant.now());

        // Then
        assertThat(event).hasValueSatisfying(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.FAILED);
            assertThat(e.reason()).isEqualTo(FailureCode.LIBVIRT_ERROR);
            assertThat(e.message()).contains("crashed");
        });
    }

    @Test
    void shouldLeaveADomainWithNoReportedGenerationToItsCommand() {
        // Given a domain defined by a provision whose final event was never published
        StackDomain domain = new StackDomain(VM, new DomainStatus(Power.RUNNING, "booted"), OptionalLong.empty(),
                Optional.empty(), "<domain/>");

        // When / Then
        assertThat(LifecycleRules.observed(domain, "qemu-1", "agent:qemu-1", Instant.now())).isEmpty();
    }

    @Test
    void shouldReportNothingWhenTheDomainIsWhatWasReportedLast() {
        // Given a domain reported stopped in generation 2 and still shut off
        StackDomain domain = new StackDomain(VM, new DomainStatus(Power.SHUT_OFF, "destroyed"), OptionalLong.of(2),
                Optional.of(VmStatus.STOPPED), "<domain/>");

        // When / Then
        assertThat(LifecycleRules.observed(domain, "qemu-1", "agent:qemu-1", Instant.now())).isEmpty();
    }

    @Test
    void shouldNeverReviveAVmReportedFailed() {
        // Given a domain whose VM was reported failed, found running after someone started it by hand
        StackDomain domain = new StackDomain(VM, new DomainStatus(Power.RUNNING, "booted"), OptionalLong.of(2),
                Optional.of(VmStatus.FAILED), "<domain/>");

        // When / Then
        assertThat(LifecycleRules.observed(domain, "qemu-1", "agent:qemu-1", Instant.now())).isEmpty();
    }
}
