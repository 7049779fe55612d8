package io.vmplane.agent.provision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import io.vmplane.agent.hypervisor.DomainStatus;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;
import io.vmplane.agent.hypervisor.VirtType;
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
 * A real QEMU VM on {@code qemu:///system} with a qcow2 disk in the {@code default} pool, a raw disk in a second dir
 * pool the test makes (named after its stack id, removed with its directory afterwards) and the boot ISO as a
 * CD-ROM first in the boot order. QEMU/TCG: this test is about storage, not the accelerator.
 */
class RealQemuTwoPoolsIT {

    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final String host = "qemu-" + stackId;
    private final String pool = "vmplane-" + stackId;
    private final String vmId = VmIds.newVmId();
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private Hypervisor hypervisor;

    @BeforeEach
    void secondPool() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
        String c = "-c";
        Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-define-as", pool, "dir", "--target", "/var/lib/libvirt/" + pool);
        Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-build", pool);
        Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-start", pool);
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.QEMU,
                new KvmProbeSettings(host, Optional.empty(), Duration.ofSeconds(6)));
    }

    @AfterEach
    void removeWhatTheTestMade() {
        try {
            hypervisor.close();
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
            Libvirt.deleteVolumesStartingWith(Libvirt.SYSTEM_URI, vmId);
        }
        finally {
            String c = "-c";
            Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-destroy", pool);
            Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-delete", pool);
            Libvirt.virsh(c, Libvirt.SYSTEM_URI, "pool-undefine", pool);
        }
    }

    @Test
    void shouldBootAVmWithDisksInTwoPoolsAndTheIsoAsFirstBootDevice() throws Exception {
        // Given a VM with a 1 GiB qcow2 disk in default and a 1 GiB raw disk in the second pool, booting the ISO
        VmSpec spec = new VmSpec("two-pools", 128, 1, new StorageSpec("default", "ubuntu.iso", List.of(
                new DiskSpec(DiskSpec.Action.CREATE, 1L, "default", null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO),
                new DiskSpec(DiskSpec.Action.CREATE, 1L, pool, null, DiskSpec.Format.RAW, DiskSpec.Bus.VIRTIO))),
                List.of(), new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        var handler = new ProvisionHandler(hypervisor, new ProvisionHandler.Identity(host, stackId, "127.0.0.1"),
                Clock.systemUTC(), events::add, () -> { });

        // When it is provisioned
        handler.handle(new HostCommand.ProvisionVm("cmd-1", host, vmId, 1, spec, List.of(),
                Instant.now().plus(Duration.ofMinutes(5))));

        // Then the domain runs, and its live definition has both disks, the CD-ROM, and boots the CD-ROM first
        VmEvent outcome = events.get(events.size() - 1);
        assertThat(outcome.status()).as("%s", outcome).isEqualTo(VmStatus.RUNNING);
        assertThat(hypervisor.domain(vmId)).map(DomainStatus::power).contains(DomainStatus.Power.RUNNING);
        Document live = parse(hypervisor.liveDomain(vmId).xml());
        assertThat(disks(live, "disk")).containsExactly(
                "default/" + VmIds.volumeName(vmId, 0, DiskSpec.Format.QCOW2) + " qcow2",
                pool + "/" + VmIds.volumeName(vmId, 1, DiskSpec.Format.RAW) + " raw");
        assertThat(disks(live, "cdrom")).containsExactly("default/ubuntu.iso raw");
        NodeList boot = ((Element) live.getElementsByTagName("os").item(0)).getElementsByTagName("boot");
        List<String> order = new ArrayList<>();
        for (int i = 0; i < boot.getLength(); i++) {
            order.add(((Element) boot.item(i)).getAttribute("dev"));
        }
        assertThat(order).containsExactly("cdrom", "hd");
        assertThat(Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "vol-list", "--pool", pool))
                .contains(VmIds.volumeName(vmId, 1, DiskSpec.Format.RAW));
    }

    /** "pool/volume format" of each {@code <disk type='volume'>} of the device kind, in order. */
    private static List<String> disks(Document domain, String device) {
        List<String> found = new ArrayList<>();
        NodeList disks = domain.getElementsByTagName("disk");
        for (int i = 0; i < disks.getLength(); i++) {
            Element disk = (Element) disks.item(i);
            if (!device.equals(disk.getAttribute("device"))) {
                continue;
            }
            assertThat(disk.getAttribute("type")).isEqualTo("volume");
            Element source = (Element) disk.getElementsByTagName("source").item(0);
            Element driver = (Element) disk.getElementsByTagName("driver").item(0);
            found.add(source.getAttribute("pool") + "/" + source.getAttribute("volume") + " "
                    + driver.getAttribute("type"));
        }
        return found;
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }
}
