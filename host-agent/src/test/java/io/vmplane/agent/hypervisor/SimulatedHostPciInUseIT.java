package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vmplane.agent.domain.DomainContext;
import io.vmplane.agent.domain.DomainType;
import io.vmplane.agent.domain.DomainXml;
import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.testsupport.Libvirt;

/**
 * Which PCI devices the inventory shows in use, on a simulated host (libvirt's test driver, a fresh host per test)
 * with the GPU 0000:3b:00.0: domains the agent defines and removes, domains the host had before the agent connected,
 * and domains another client of the connection defines, replaces or undefines, unseen by the agent.
 */
class SimulatedHostPciInUseIT {

    private static final String HOST = "sim-pci";
    private static final String GPU = "0000:3b:00.0";

    @TempDir
    Path dir;

    private LibvirtHypervisor hypervisor;

    @AfterEach
    void close() {
        if (hypervisor != null) {
            hypervisor.close();
        }
    }

    @Test
    void shouldShowTheGpuInUseOnceTheAgentDefinesADomainPassingItThrough() {
        // Given a host whose inventory was read
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        assertThat(gpuInUse()).isFalse();

        // When
        hypervisor.defineDomain(domain("gpu-vm", UUID.randomUUID().toString(), true));

        // Then
        assertThat(gpuInUse()).isTrue();
    }

    @Test
    void shouldShowTheGpuFreeOnceTheAgentRemovedTheDomainPassingItThrough() {
        // Given a running domain with the GPU, reported
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        hypervisor.defineDomain(domain("gpu-vm", UUID.randomUUID().toString(), true));
        hypervisor.startDomain("gpu-vm");
        assertThat(gpuInUse()).isTrue();

        // When
        hypervisor.removeDomain("gpu-vm");

        // Then
        assertThat(gpuInUse()).isFalse();
    }

    @Test
    void shouldShowTheGpuInUseByADomainTheHostHadBeforeTheAgentConnected() {
        // Given a host that defines a domain with the GPU itself
        Path host = Libvirt.writeSimulatedHost(dir, HOST, true);
        addDomainToHostFile(host, domain("foreign-vm", UUID.randomUUID().toString(), true));
        connect(host);

        // When / Then
        assertThat(gpuInUse()).isTrue();
    }

    @Test
    void shouldShowTheGpuInUseByADomainAnotherClientDefinedSinceTheLastReport() {
        // Given a host whose inventory was read
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        assertThat(gpuInUse()).isFalse();

        // When
        defineAsAnotherClient(domain("foreign-vm", UUID.randomUUID().toString(), true));

        // Then
        assertThat(gpuInUse()).isTrue();
    }

    @Test
    void shouldShowTheGpuFreeOnceAnotherClientUndefinedTheDomainPassingItThrough() {
        // Given a domain another client defined with the GPU, reported
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        defineAsAnotherClient(domain("foreign-vm", UUID.randomUUID().toString(), true));
        assertThat(gpuInUse()).isTrue();

        // When
        hypervisor.asAnotherClient(c -> {
            c.domainLookupByName("foreign-vm").undefine();
            return null;
        });

        // Then
        assertThat(gpuInUse()).isFalse();
    }

    @Test
    void shouldSeeADefinitionAnotherClientReplacedOnTheNextFullRead() {
        // Given a shut-off domain without the GPU, reported
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        String uuid = UUID.randomUUID().toString();
        defineAsAnotherClient(domain("foreign-vm", uuid, false));
        assertThat(gpuInUse()).isFalse();

        // When another client replaces its definition (same UUID, nothing the listing shows) with one using the GPU
        defineAsAnotherClient(domain("foreign-vm", uuid, true));

        // Then the periodic full read finds it
        assertThat(gpuInUse(hypervisor.facts(Hypervisor.Reread.ALL))).isTrue();
    }

    @Test
    void shouldSeeADefinitionAnotherClientReplacedOnceTheDomainRestarted() {
        // Given a running domain without the GPU, reported, whose persistent definition another client replaced
        // with one using the GPU
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        String uuid = UUID.randomUUID().toString();
        defineAsAnotherClient(domain("foreign-vm", uuid, false));
        hypervisor.startDomain("foreign-vm");
        assertThat(gpuInUse()).isFalse();
        defineAsAnotherClient(domain("foreign-vm", uuid, true));

        // When it is powered off and on (a new id)
        hypervisor.destroyDomain("foreign-vm");
        hypervisor.startDomain("foreign-vm");

        // Then
        assertThat(gpuInUse()).isTrue();
    }

    @Test
    void shouldReadEachDomainsDefinitionOnceWhileTheHostFills() {
        // Given an empty host with the GPU
        connect(Libvirt.writeSimulatedHost(dir, HOST, true));
        hypervisor.facts();
        int vms = 125;
        long before = hypervisor.definitionsRead();

        // When VMs are defined and started one by one, each followed by an inventory
        long start = System.nanoTime();
        for (int i = 0; i < vms; i++) {
            String vmId = VmIds.newVmId();
            hypervisor.defineDomain(vmDomain(vmId));
            hypervisor.startDomain(vmId);
            hypervisor.facts();
        }
        Duration filling = Duration.ofNanos(System.nanoTime() - start);

        // Then each definition was read once (all of them for every inventory read 125 × 126 / 2 = 7875)
        long read = hypervisor.definitionsRead() - before;
        assertThat(read).isEqualTo(vms);
        assertThat(hypervisor.facts().domains()).hasSize(vms);
        System.out.printf("PCI in use on a host filling to %d VMs: %d domain definitions read for %d inventories "
                        + "(%d before, reading every domain each time); define + start + inventory %.1f ms per VM; "
                        + "an inventory of the full host %.2f ms, a full read (every %s) %.2f ms%n",
                vms, read, vms, vms * (vms + 1L) / 2, filling.toNanos() / 1e6 / vms, perRead(Hypervisor.Reread.CHANGED),
                "inventory-interval", perRead(Hypervisor.Reread.ALL));
    }

    private double perRead(Hypervisor.Reread reread) {
        int reads = 20;
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            hypervisor.facts(reread);
        }
        return (System.nanoTime() - start) / 1e6 / reads;
    }

    private void connect(Path hostXml) {
        hypervisor = new LibvirtHypervisor(Libvirt.testUri(hostXml), VirtType.AUTO,
                new KvmProbeSettings(HOST, Optional.empty(), Duration.ofSeconds(6)));
    }

    private boolean gpuInUse() {
        return gpuInUse(hypervisor.facts());
    }

    private static boolean gpuInUse(HostFacts facts) {
        return facts.pciDevices().stream().filter(d -> d.address().equals(GPU)).findFirst()
                .map(HostInventory.PciDevice::inUse).orElseThrow();
    }

    private void defineAsAnotherClient(String xml) {
        hypervisor.asAnotherClient(c -> c.domainDefineXML(xml).free());
    }

    private static void addDomainToHostFile(Path host, String domainXml) {
        try {
            Files.writeString(host, Files.readString(host).replace("</node>", domainXml + "\n</node>"));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String domain(String name, String uuid, boolean gpu) {
        String hostdev = !gpu ? "" : """
                <hostdev mode='subsystem' type='pci' managed='yes'>
                  <source><address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/></source>
                </hostdev>""";
        return """
                <domain type='test'>
                  <name>%s</name>
                  <uuid>%s</uuid>
                  <memory unit='MiB'>512</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64'>hvm</type></os>
                  <devices>%s</devices>
                </domain>""".formatted(name, uuid, hostdev);
    }

    /** A domain as the agent defines a VM's: a disk, the boot ISO, VNC. */
    private static String vmDomain(String vmId) {
        VmSpec spec = new VmSpec("vm", 1024, 1, new StorageSpec("default", "ubuntu.iso", List.of(new DiskSpec(
                DiskSpec.Action.CREATE, 10L, "default", null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO))), null,
                null, null);
        return DomainXml.render(vmId, spec, new DomainContext("it-sim", DomainType.TEST, null,
                List.of(new VolumeRef("default", VmIds.volumeName(vmId, 0, DiskSpec.Format.QCOW2))),
                new VolumeRef("default", "ubuntu.iso"), List.of(), "127.0.0.1"));
    }
}
