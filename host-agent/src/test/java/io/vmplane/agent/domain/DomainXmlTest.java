package io.vmplane.agent.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.DiskSpec.Action;
import io.vmplane.schemas.vm.DiskSpec.Bus;
import io.vmplane.schemas.vm.DiskSpec.Format;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;

class DomainXmlTest {

    private static final String VM_ID = "vm-0b7e2d0c-1111-4222-8333-444455556666";
    private static final String EMULATOR = "/usr/bin/qemu-system-x86_64";
    private static final String STACK_PATH = "/domain/metadata/*[local-name()='stack' and namespace-uri()='"
            + DomainXml.METADATA_NAMESPACE + "']";

    @Test
    void shouldRenderTestVmExampleBootingFromTheIsoThenTheDisk() {
        // Given the seed's test-vm on a KVM host
        VmSpec spec = new VmSpec("test-vm", 4096, 2,
                new StorageSpec("default", "ubuntu.iso", List.of(create(20, "default", Bus.VIRTIO))), null, null, null);

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, EMULATOR, List.of())));

        // Then
        assertThat(text(xml, "/domain/@type")).isEqualTo("kvm");
        assertThat(text(xml, "/domain/name")).isEqualTo(VM_ID);
        assertThat(text(xml, "/domain/uuid")).isEqualTo(VmIds.uuidOf(VM_ID).toString());
        assertThat(text(xml, STACK_PATH)).isEqualTo("stack-1");
        assertThat(text(xml, "/domain/memory/@unit")).isEqualTo("MiB");
        assertThat(text(xml, "/domain/memory")).isEqualTo("4096");
        assertThat(text(xml, "/domain/vcpu")).isEqualTo("2");
        assertThat(text(xml, "/domain/os/type")).isEqualTo("hvm");
        assertThat(text(xml, "/domain/os/type/@arch")).isEqualTo("x86_64");
        assertThat(text(xml, "/domain/os/type/@machine")).isEqualTo("q35");
        assertThat(values(xml, "/domain/os/boot/@dev")).containsExactly("cdrom", "hd");
        assertThat(text(xml, "/domain/devices/emulator")).isEqualTo(EMULATOR);
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/@type")).isEqualTo("volume");
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/driver/@type")).isEqualTo("qcow2");
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/source/@pool")).isEqualTo("default");
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/source/@volume"))
                .isEqualTo(VM_ID + "-disk0.qcow2");
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/target/@dev")).isEqualTo("vda");
        assertThat(text(xml, "/domain/devices/disk[@device='disk']/target/@bus")).isEqualTo("virtio");
        assertThat(text(xml, "/domain/devices/disk[@device='cdrom']/source/@pool")).isEqualTo("default");
        assertThat(text(xml, "/domain/devices/disk[@device='cdrom']/source/@volume")).isEqualTo("ubuntu.iso");
        assertThat(text(xml, "/domain/devices/disk[@device='cdrom']/target/@dev")).isEqualTo("sda");
        assertThat(text(xml, "/domain/devices/disk[@device='cdrom']/target/@bus")).isEqualTo("sata");
        assertThat(count(xml, "/domain/devices/disk[@device='cdrom']/readonly")).isEqualTo(1);
        assertThat(text(xml, "/domain/devices/console/@type")).isEqualTo("pty");
        assertThat(count(xml, "/domain/devices/hostdev")).isZero();
    }

    @Test
    void shouldPassClaimedGpuThroughAsManagedPciHostdev() {
        // Given the seed's gpu-vm with the address placement claimed for it
        VmSpec spec = new VmSpec("gpu-vm", 8192, 4,
                new StorageSpec("default", "ubuntu.iso", List.of(create(40, "default", Bus.VIRTIO))),
                List.of(new PciDeviceSpec(null, "10de", "1eb8")), new GraphicsSpec(GraphicsSpec.Type.VNC, null, null),
                null);

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec,
                context(spec, DomainType.TEST, null, List.of("0000:3b:00.0"))));

        // Then
        assertThat(text(xml, "/domain/@type")).isEqualTo("test");
        assertThat(count(xml, "/domain/devices/emulator")).isZero();
        assertThat(count(xml, "/domain/devices/hostdev")).isEqualTo(1);
        assertThat(text(xml, "/domain/devices/hostdev/@mode")).isEqualTo("subsystem");
        assertThat(text(xml, "/domain/devices/hostdev/@type")).isEqualTo("pci");
        assertThat(text(xml, "/domain/devices/hostdev/@managed")).isEqualTo("yes");
        assertThat(text(xml, "/domain/devices/hostdev/source/address/@domain")).isEqualTo("0x0000");
        assertThat(text(xml, "/domain/devices/hostdev/source/address/@bus")).isEqualTo("0x3b");
        assertThat(text(xml, "/domain/devices/hostdev/source/address/@slot")).isEqualTo("0x00");
        assertThat(text(xml, "/domain/devices/hostdev/source/address/@function")).isEqualTo("0x0");
        assertThat(text(xml, "/domain/devices/graphics/@type")).isEqualTo("vnc");
        assertThat(text(xml, "/domain/devices/graphics/@port")).isEqualTo("-1");
        assertThat(text(xml, "/domain/devices/graphics/@autoport")).isEqualTo("yes");
        assertThat(text(xml, "/domain/devices/graphics/@listen")).isEqualTo("127.0.0.1");
        assertThat(text(xml, "/domain/devices/video/model/@type")).isEqualTo("virtio");
    }

    @Test
    void shouldPutEachDiskOfDbVmInItsOwnPoolAndBootFromDiskOnly() {
        // Given the seed's db-vm: three disks in three pools, no ISO
        VmSpec spec = new VmSpec("db-vm", 4096, 2, new StorageSpec("default", null, List.of(
                create(20, "default", Bus.VIRTIO), create(100, "fast", Bus.VIRTIO), create(500, "bulk", Bus.VIRTIO))),
                null, null, null);

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.QEMU, EMULATOR, List.of())));

        // Then
        assertThat(text(xml, "/domain/@type")).isEqualTo("qemu");
        assertThat(values(xml, "/domain/os/boot/@dev")).containsExactly("hd");
        assertThat(count(xml, "/domain/devices/disk[@device='cdrom']")).isZero();
        assertThat(values(xml, "/domain/devices/disk/source/@pool")).containsExactly("default", "fast", "bulk");
        assertThat(values(xml, "/domain/devices/disk/source/@volume")).containsExactly(
                VM_ID + "-disk0.qcow2", VM_ID + "-disk1.qcow2", VM_ID + "-disk2.qcow2");
        assertThat(values(xml, "/domain/devices/disk/target/@dev")).containsExactly("vda", "vdb", "vdc");
    }

    @Test
    void shouldEscapeHostileValuesSoTheyReadBackUnchanged() {
        // Given values the API's patterns forbid, reaching render anyway
        String hostile = "a<b&\"c'>]]></name><evil/>";
        VmSpec spec = new VmSpec(hostile, 256, 1, new StorageSpec(hostile, hostile,
                List.of(new DiskSpec(Action.ATTACH, null, hostile, hostile, Format.RAW, Bus.SATA))),
                null, new GraphicsSpec(GraphicsSpec.Type.VNC, hostile, null), null);
        DomainContext context = new DomainContext(hostile, DomainType.KVM, hostile,
                List.of(new VolumeRef(hostile, hostile)), new VolumeRef(hostile, hostile), List.of(), "127.0.0.1");

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context));

        // Then
        assertThat(text(xml, STACK_PATH)).isEqualTo(hostile);
        assertThat(text(xml, STACK_PATH + "/@vm-name")).isEqualTo(hostile);
        assertThat(text(xml, "/domain/devices/emulator")).isEqualTo(hostile);
        assertThat(values(xml, "/domain/devices/disk/source/@pool")).containsExactly(hostile, hostile);
        assertThat(values(xml, "/domain/devices/disk/source/@volume")).containsExactly(hostile, hostile);
        assertThat(text(xml, "/domain/devices/graphics/@listen")).isEqualTo(hostile);
        assertThat(count(xml, "//evil")).isZero();
    }

    @Test
    void shouldRenderSpiceWithQxlVideo() {
        // Given
        VmSpec spec = diskless(new GraphicsSpec(GraphicsSpec.Type.SPICE, null, null));

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, null, List.of())));

        // Then
        assertThat(text(xml, "/domain/devices/graphics/@type")).isEqualTo("spice");
        assertThat(text(xml, "/domain/devices/graphics/@autoport")).isEqualTo("yes");
        assertThat(count(xml, "/domain/devices/graphics/@port")).isZero();
        assertThat(text(xml, "/domain/devices/graphics/@listen")).isEqualTo("127.0.0.1");
        assertThat(text(xml, "/domain/devices/video/model/@type")).isEqualTo("qxl");
    }

    @Test
    void shouldRenderNoGraphicsAndNoVideoForNone() {
        // Given
        VmSpec spec = diskless(new GraphicsSpec(GraphicsSpec.Type.NONE, null, null));

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, null, List.of())));

        // Then
        assertThat(count(xml, "/domain/devices/graphics")).isZero();
        assertThat(count(xml, "/domain/devices/video")).isZero();
        assertThat(text(xml, "/domain/devices/console/@type")).isEqualTo("pty");
    }

    @Test
    void shouldUseExplicitVncPortAndListenWithoutAutoport() {
        // Given an admin's fixed port and listen address
        VmSpec spec = diskless(new GraphicsSpec(GraphicsSpec.Type.VNC, "0.0.0.0", 5907));

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, null, List.of())));

        // Then
        assertThat(text(xml, "/domain/devices/graphics/@port")).isEqualTo("5907");
        assertThat(text(xml, "/domain/devices/graphics/@autoport")).isEqualTo("no");
        assertThat(text(xml, "/domain/devices/graphics/@listen")).isEqualTo("0.0.0.0");
    }

    @Test
    void shouldAddVirtioScsiControllerAndShareSdLettersBetweenSataScsiAndCdrom() {
        // Given one disk per bus and an ISO
        VmSpec spec = new VmSpec("mixed", 512, 1, new StorageSpec("default", "ubuntu.iso", List.of(
                create(1, "default", Bus.SATA), create(1, "default", Bus.SCSI), create(1, "default", Bus.VIRTIO))),
                null, null, null);

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, null, List.of())));

        // Then
        assertThat(values(xml, "/domain/devices/disk/target/@dev")).containsExactly("sda", "sdb", "vda", "sdc");
        assertThat(values(xml, "/domain/devices/disk/target/@bus")).containsExactly("sata", "scsi", "virtio", "sata");
        assertThat(text(xml, "/domain/devices/controller[@type='scsi']/@model")).isEqualTo("virtio-scsi");
    }

    @Test
    void shouldNotAddScsiControllerWithoutScsiDisk() {
        // Given
        VmSpec spec = new VmSpec("plain", 512, 1, new StorageSpec("default", null,
                List.of(create(1, "default", Bus.VIRTIO))), null, null, null);

        // When
        Document xml = parse(DomainXml.render(VM_ID, spec, context(spec, DomainType.KVM, null, List.of())));

        // Then
        assertThat(count(xml, "/domain/devices/controller")).isZero();
    }

    @Test
    void shouldRejectDiskSourcesThatDoNotMatchTheDisks() {
        // Given a context missing the second disk's volume
        VmSpec spec = new VmSpec("two", 512, 1, new StorageSpec("default", null,
                List.of(create(1, "default", Bus.VIRTIO), create(1, "fast", Bus.VIRTIO))), null, null, null);
        DomainContext context = new DomainContext("stack-1", DomainType.KVM, null,
                List.of(new VolumeRef("default", "x")), null, List.of(), "127.0.0.1");

        // When / Then
        assertThatThrownBy(() -> DomainXml.render(VM_ID, spec, context))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disk sources");
    }

    @Test
    void shouldRejectMalformedPciAddress() {
        // Given
        VmSpec spec = diskless(GraphicsSpec.DEFAULT);
        DomainContext context = context(spec, DomainType.KVM, null, List.of("3b:00.0'/>"));

        // When / Then
        assertThatThrownBy(() -> DomainXml.render(VM_ID, spec, context))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PCI address");
    }

    @Test
    void shouldNameDisksBeyondTheTwentySixthLikeLibvirt() {
        assertThat(DomainXml.deviceName("vd", 0)).isEqualTo("vda");
        assertThat(DomainXml.deviceName("vd", 25)).isEqualTo("vdz");
        assertThat(DomainXml.deviceName("vd", 26)).isEqualTo("vdaa");
        assertThat(DomainXml.deviceName("sd", 27)).isEqualTo("sdab");
    }

    private static DiskSpec create(long gib, String pool, Bus bus) {
        return new DiskSpec(Action.CREATE, gib, pool, null, Format.QCOW2, bus);
    }

    private static VmSpec diskless(GraphicsSpec graphics) {
        return new VmSpec("iso-only", 256, 1, new StorageSpec("default", "ubuntu.iso", List.of()), null, graphics,
                null);
    }

    /** The context the agent would build: created disks get their derived volume names. */
    private static DomainContext context(VmSpec spec, DomainType type, String emulator, List<String> pci) {
        List<VolumeRef> sources = new ArrayList<>();
        List<DiskSpec> disks = spec.storage().disks();
        for (int i = 0; i < disks.size(); i++) {
            DiskSpec d = disks.get(i);
            sources.add(new VolumeRef(d.pool(),
                    d.action() == Action.ATTACH ? d.volume() : VmIds.volumeName(VM_ID, i, d.format())));
        }
        VolumeRef iso = spec.storage().bootIso() == null ? null
                : new VolumeRef(spec.storage().defaultPool(), spec.storage().bootIso());
        return new DomainContext("stack-1", type, emulator, sources, iso, pci, "127.0.0.1");
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        }
        catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + xml, e);
        }
    }

    private static String text(Document xml, String path) {
        return values(xml, path).stream().findFirst().orElseThrow(() -> new AssertionError("no match for " + path));
    }

    private static int count(Document xml, String path) {
        return values(xml, path).size();
    }

    private static List<String> values(Document xml, String path) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(path, xml, XPathConstants.NODESET);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                values.add(nodes.item(i).getTextContent());
            }
            return values;
        }
        catch (javax.xml.xpath.XPathExpressionException e) {
            throw new AssertionError(e);
        }
    }
}
