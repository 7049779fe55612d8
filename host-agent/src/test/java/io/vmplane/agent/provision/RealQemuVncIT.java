package io.vmplane.agent.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

import io.vmplane.agent.hypervisor.HostFacts;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;
import io.vmplane.agent.hypervisor.VirtType;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * Real QEMU VMs on {@code qemu:///system}, of the type {@code virt-type=auto} chooses (its KVM probe runs once for
 * the class): booted from the ISO with a qcow2 disk, a VM's VNC server greets a client and it keeps running.
 * Everything a test creates is tagged with its own stack id and removed afterwards.
 */
class RealQemuVncIT {

    private static final String HOST = "qemu-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static Hypervisor hypervisor;

    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private ProvisionHandler handler;

    @BeforeAll
    static void connectToTheRealHost() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.AUTO, new KvmProbeSettings(HOST,
                Optional.of(Path.of("/usr/lib/ipxe/ipxe.iso")), Duration.ofSeconds(6)));
    }

    @AfterAll
    static void disconnect() {
        hypervisor.close();
    }

    @BeforeEach
    void handler() {
        handler = new ProvisionHandler(hypervisor, new ProvisionHandler.Identity(HOST, stackId, "127.0.0.1"),
                Clock.systemUTC(), events::add, () -> { });
    }

    @AfterEach
    void removeWhatTheTestMade() {
        Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
    }

    @Test
    void shouldBootVmFromIsoWhoseVncServerGreetsWithRfb38() throws Exception {
        // Given a 256 MiB VM with the ISO and a 1 GiB qcow2 disk
        String vmId = VmIds.newVmId();
        VmSpec spec = new VmSpec("real-vm", 256, 1, new StorageSpec("default", "ubuntu.iso", List.of(
                new DiskSpec(DiskSpec.Action.CREATE, 1L, "default", null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO))),
                List.of(), GraphicsSpec.DEFAULT, null);

        // When
        handler.handle(new HostCommand.ProvisionVm("cmd-" + vmId, HOST, vmId, 1, spec, List.of(),
                Instant.now().plus(5, ChronoUnit.MINUTES)));

        // Then the VM runs, its live XML names a VNC port, that port speaks RFB 3.8, and the VM keeps running
        VmEvent last = events.get(events.size() - 1);
        assertThat(last.status()).as("%s", last).isEqualTo(VmStatus.RUNNING);
        assertThat(hypervisor.kind()).isEqualTo("qemu");
        assertThat(last.domainXml()).contains("type='" + hypervisor.domainType().wire() + "'");
        int port = Integer.parseInt(XPathFactory.newInstance().newXPath().evaluate(
                "/domain/devices/graphics[@type='vnc']/@port",
                DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(new InputSource(new StringReader(last.domainXml())))));
        assertThat(port).isGreaterThanOrEqualTo(5900);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
        }
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(500))
                .until(() -> domstate(vmId), state -> state.startsWith("running"));
        HostFacts facts = hypervisor.facts();
        HostInventory.Pool pool = facts.pools().stream().filter(p -> p.name().equals("default"))
                .findFirst().orElseThrow();
        assertThat(pool.volumes()).contains(vmId + "-disk0.qcow2", "ubuntu.iso");
        assertThat(facts.vcpus()).isPositive();
        assertThat(facts.memoryMib()).isGreaterThanOrEqualTo(Runtime.getRuntime().maxMemory() >> 20);
        assertThat(facts.pciDevices()).isNotEmpty()
                .allSatisfy(d -> assertThat(d.address()).matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]"));
    }

    @Test
    void shouldReportTheVmFailedWhenItsDomainIsPausedWhenTheAgentReadsIt() {
        // Given a VM provisioned and running, whose domain then gets paused
        String vmId = VmIds.newVmId();
        VmSpec spec = new VmSpec("paused-vm", 128, 1, new StorageSpec("default", "ubuntu.iso", List.of()), List.of(),
                new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        HostCommand.ProvisionVm command = new HostCommand.ProvisionVm("cmd-" + vmId, HOST, vmId, 1, spec, List.of(),
                Instant.now().plus(5, ChronoUnit.MINUTES));
        handler.handle(command);
        assertThat(events).last().extracting(VmEvent::status).isEqualTo(VmStatus.RUNNING);
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "suspend", vmId);

        // When the command is delivered again
        handler.handle(command);

        // Then the agent reports what libvirt says, not running
        VmEvent last = events.get(events.size() - 1);
        assertThat(last.status()).isEqualTo(VmStatus.FAILED);
        assertThat(last.reason()).isEqualTo(FailureCode.LIBVIRT_ERROR);
        assertThat(last.message()).contains(vmId).contains("paused (user)");
    }

    private static String domstate(String name) {
        return Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "domstate", name, "--reason").strip();
    }
}
