package io.vmplane.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.DomainStatus.Power;
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
}
