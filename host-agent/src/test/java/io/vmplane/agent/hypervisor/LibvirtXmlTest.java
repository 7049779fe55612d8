package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.PciAddress;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.VmStatus;

class LibvirtXmlTest {

    private static final String GPU = """
            <device>
              <name>pci_0000_3b_00_0</name>
              <parent>computer</parent>
              <capability type='pci'>
                <class>0x030000</class>
                <domain>0</domain>
                <bus>59</bus>
                <slot>0</slot>
                <function>0</function>
                <product id='0x1EB8'>Tesla T4</product>
                <vendor id='0x10de'>NVIDIA Corporation</vendor>
                <iommuGroup number='30'>
                  <address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/>
                </iommuGroup>
              </capability>
            </device>""";

    @Test
    void shouldReadPciDeviceWithLowerCaseIdsAndIommuGroup() {
        // When
        var device = LibvirtXml.pciDevice(GPU);

        // Then
        assertThat(device).contains(new HostInventory.PciDevice("0000:3b:00.0", "10de", "1eb8", 30, false));
    }

    @Test
    void shouldGiveGroupMinusOneToPciDeviceWithoutIommu() {
        // Given a real host's device on a machine without IOMMU
        String xml = """
                <device><name>pci_0000_00_00_0</name><capability type='pci'><class>0x060000</class>
                <domain>0</domain><bus>0</bus><slot>0</slot><function>0</function>
                <product id='0x0d57'/><vendor id='0x8086'/><pci-express/></capability></device>""";

        // When / Then
        assertThat(LibvirtXml.pciDevice(xml))
                .contains(new HostInventory.PciDevice("0000:00:00.0", "8086", "0d57", -1, false));
    }

    @Test
    void shouldIgnoreNodeDeviceThatIsNotPci() {
        assertThat(LibvirtXml.pciDevice("<device><name>computer</name><capability type='system'/></device>"))
                .isEmpty();
    }

    @Test
    void shouldReadHostdevAddressesOfDomain() {
        // Given
        String domain = """
                <domain type='test'><name>x</name><devices>
                  <hostdev mode='subsystem' type='pci' managed='yes'>
                    <source><address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/></source>
                  </hostdev>
                  <hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/></source></hostdev>
                </devices></domain>""";

        // When / Then
        assertThat(LibvirtXml.hostdevAddresses(domain)).containsExactly(PciAddress.parse("0000:3b:00.0"));
    }

    @Test
    void shouldFindNoHostdevInADomainWithout() {
        // Given a domain with PCI addresses of its own, none of them a host's
        String domain = """
                <domain type='test'><name>x</name><devices>
                  <interface type='network'>
                    <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
                  </interface>
                </devices></domain>""";

        // When / Then
        assertThat(LibvirtXml.hostdevAddresses(domain)).isEmpty();
    }

    @Test
    void shouldFindKvmAndEmulatorInCapabilities() {
        // Given
        String caps = """
                <capabilities><host/><guest><os_type>hvm</os_type>
                  <arch name='i686'><emulator>/usr/bin/qemu-system-i386</emulator><domain type='qemu'/></arch>
                </guest><guest><os_type>hvm</os_type>
                  <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <domain type='qemu'/><domain type='kvm'/></arch>
                </guest></capabilities>""";

        // When / Then
        assertThat(LibvirtXml.offersDomainType(caps, "x86_64", "kvm")).isTrue();
        assertThat(LibvirtXml.offersDomainType(caps, "i686", "kvm")).isFalse();
        assertThat(LibvirtXml.emulator(caps, "x86_64")).contains("/usr/bin/qemu-system-x86_64");
    }

    @Test
    void shouldReadPoolCapacitiesDeclaredInSimulatedHost() {
        // Given
        String host = """
                <node><cpu><active>32</active></cpu><memory>67108864</memory>
                  <pool type='dir'><name>default</name><capacity unit='TiB'>2</capacity></pool>
                  <pool type='dir'><name>fast</name><capacity>1024</capacity></pool>
                  <pool type='dir'><name>none</name></pool>
                </node>""";

        // When / Then
        assertThat(LibvirtXml.declaredPoolCapacities(host)).isEqualTo(Map.of("default", 2L << 40, "fast", 1024L));
    }

    @Test
    void shouldRefuseDoctypeDeclarations() {
        String xxe = "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><device>&e;</device>";
        assertThatThrownBy(() -> LibvirtXml.pciDevice(xxe)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRenderThinVolumeOfRequestedFormat() {
        // When
        String xml = VolumeXml.render("vm-1-disk0.qcow2", 20L << 30, DiskSpec.Format.QCOW2);

        // Then
        assertThat(xml).isEqualTo("<volume><name>vm-1-disk0.qcow2</name>"
                + "<capacity unit=\"bytes\">21474836480</capacity><allocation unit=\"bytes\">0</allocation>"
                + "<target><format type=\"qcow2\"/></target></volume>");
    }

    @Test
    void shouldReadTheStackTagAndTheReportedGenerationOfADomain() {
        // Given a domain's metadata as libvirt writes it back
        String xml = """
                <domain type='qemu'>
                  <name>vm-1</name>
                  <metadata>
                    <vmplane:stack xmlns:vmplane="https://vmplane.io/xmlns/stack/1" vm-name="web">dev-1</vmplane:stack>
                    <vmplane-reported:reported xmlns:vmplane-reported="https://vmplane.io/xmlns/reported/1" \
                generation="7" status="running"/>
                  </metadata>
                </domain>""";

        // When / Then
        assertThat(LibvirtXml.stackTag(xml)).contains(new LibvirtXml.StackTag("dev-1", OptionalLong.of(7),
                Optional.of(VmStatus.RUNNING)));
    }

    @Test
    void shouldFindNoGenerationBeforeOneIsReportedAndNoTagOnAForeignDomain() {
        // Given
        String tagged = "<domain><metadata><s:stack xmlns:s='https://vmplane.io/xmlns/stack/1'> dev-1 </s:stack>"
                + "</metadata></domain>";
        String foreign = "<domain><metadata><x:app xmlns:x='https://example.org/app'>dev-1</x:app></metadata></domain>";

        // When / Then
        assertThat(LibvirtXml.stackTag(tagged))
                .contains(new LibvirtXml.StackTag("dev-1", OptionalLong.empty(), Optional.empty()));
        assertThat(LibvirtXml.stackTag(foreign)).isEmpty();
    }
}
