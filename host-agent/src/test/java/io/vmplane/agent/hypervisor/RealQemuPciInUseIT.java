package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vmplane.agent.domain.PciAddress;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.testsupport.Libvirt;

/**
 * A PCI device of the real host ({@code qemu:///system}) passed through by a domain that virsh, not the agent,
 * defines and undefines. The domain is never started: defining it does not touch the device.
 */
class RealQemuPciInUseIT {

    @TempDir
    Path dir;

    private final String name = "vmplane-it-pci-" + UUID.randomUUID().toString().substring(0, 8);
    private LibvirtHypervisor hypervisor;
    private String device;

    @BeforeEach
    void realHostWithAFreeDevice() {
        Libvirt.ensureDaemons();
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.QEMU,
                new KvmProbeSettings("qemu-it-pci", Optional.empty(), Duration.ofSeconds(6)));
        device = hypervisor.facts().pciDevices().stream().filter(d -> !d.inUse()).reduce((first, last) -> last)
                .map(HostInventory.PciDevice::address).orElseThrow();
    }

    @AfterEach
    void removeTheDomain() {
        try {
            hypervisor.close();
        }
        finally {
            if (Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "list", "--all", "--name").lines().anyMatch(name::equals)) {
                Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "undefine", name);
            }
        }
    }

    @Test
    void shouldShowADeviceInUseOnceVirshDefinedADomainPassingItThrough() {
        // When
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "define", domainFile().toString());

        // Then
        assertThat(inUse()).isTrue();
    }

    @Test
    void shouldShowTheDeviceFreeOnceVirshUndefinedTheDomain() {
        // Given
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "define", domainFile().toString());
        assertThat(inUse()).isTrue();

        // When
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "undefine", name);

        // Then
        assertThat(inUse()).isFalse();
    }

    private boolean inUse() {
        return hypervisor.facts().pciDevices().stream().filter(d -> d.address().equals(device)).findFirst()
                .map(HostInventory.PciDevice::inUse).orElseThrow();
    }

    private Path domainFile() {
        PciAddress address = PciAddress.parse(device);
        String xml = """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64'>hvm</type></os>
                  <devices>
                    <hostdev mode='subsystem' type='pci' managed='yes'>
                      <source><address domain='%s' bus='%s' slot='%s' function='%s'/></source>
                    </hostdev>
                  </devices>
                </domain>""".formatted(name, address.domainHex(), address.busHex(), address.slotHex(),
                address.functionHex());
        try {
            return Files.writeString(dir.resolve(name + ".xml"), xml);
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
