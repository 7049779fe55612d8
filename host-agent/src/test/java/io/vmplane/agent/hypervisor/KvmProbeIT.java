package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;

import io.vmplane.agent.domain.DomainType;
import io.vmplane.agent.provision.ProvisionHandler;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * {@code virt-type=auto} on the real host ({@code qemu:///system}): the probe's decision is proven by a VM of the
 * chosen type that keeps running, whatever this machine's KVM does. Every domain a test makes is removed after it.
 */
class KvmProbeIT {

    private static final Path PROBE_IMAGE = Path.of("/usr/lib/ipxe/ipxe.iso");

    @TempDir
    Path dir;

    private final String hostId = "qemu-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private LibvirtHypervisor hypervisor;

    @BeforeEach
    void realHost() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
    }

    @AfterEach
    void removeWhatTheTestMade() {
        try {
            if (hypervisor != null) {
                hypervisor.close();
            }
        }
        finally {
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
            for (String name : activeDomains()) {
                if (name.startsWith(KvmProbe.NAME_PREFIX + hostId)) {
                    Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "destroy", name);
                }
            }
        }
    }

    @Test
    void shouldChooseADomainTypeUnderWhichAVmBootedFromTheIsoKeepsRunning() {
        // Given the agent's virt-type resolution with the probe image
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.AUTO,
                new KvmProbeSettings(hostId, Optional.of(PROBE_IMAGE), Duration.ofSeconds(6)));

        // When it has decided
        VirtTypeDecision decision = hypervisor.virtTypeDecision();

        // Then it chose kvm or qemu, left no probe domain, and a VM of that type booted from ubuntu.iso still runs
        // 8 s later
        assertThat(decision.type()).as(decision.reason()).isIn(DomainType.KVM, DomainType.QEMU);
        assertThat(decision.reason()).contains("probe");
        assertThat(activeDomains()).noneMatch(name -> name.startsWith(KvmProbe.NAME_PREFIX + hostId));
        List<VmEvent> events = new CopyOnWriteArrayList<>();
        ProvisionHandler handler = new ProvisionHandler(hypervisor,
                new ProvisionHandler.Identity(hostId, stackId, "127.0.0.1"), Clock.systemUTC(), events::add, () -> { });
        String vmId = VmIds.newVmId();
        handler.handle(new HostCommand.ProvisionVm("cmd-" + vmId, hostId, vmId, 1, new VmSpec("probe-check", 256, 1,
                new StorageSpec("default", "ubuntu.iso", List.of()), List.of(), GraphicsSpec.DEFAULT, null),
                List.of(), Instant.now().plus(5, ChronoUnit.MINUTES)));
        VmEvent last = events.get(events.size() - 1);
        assertThat(last.status()).as("%s", last).isEqualTo(VmStatus.RUNNING);
        assertThat(last.domainXml()).contains("type='" + decision.type().wire() + "'");
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(500))
                .until(() -> domstate(vmId), state -> state.startsWith("running"));
    }

    @Test
    void shouldDestroyTheProbeDomainsAnEarlierAgentOfTheHostLeft() throws IOException {
        // Given a probe domain of this host left running, and one of a host whose id extends this one's
        String stale = KvmProbe.NAME_PREFIX + hostId + "-0badc0de";
        String otherHosts = KvmProbe.NAME_PREFIX + hostId + "-x-0badc0de";
        createDiskless(stale);
        createDiskless(otherHosts);

        // When an agent of this host connects (with a forced type: the clean-up does not depend on the probe)
        hypervisor = new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.QEMU,
                new KvmProbeSettings(hostId, Optional.of(PROBE_IMAGE), Duration.ofSeconds(6)));

        // Then only this host's leftover is gone
        assertThat(activeDomains()).doesNotContain(stale).contains(otherHosts);
        assertThat(hypervisor.virtTypeDecision().type()).isEqualTo(DomainType.QEMU);
    }

    private void createDiskless(String name) throws IOException {
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>128</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>");
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "create", xml.toString());
    }

    private static List<String> activeDomains() {
        return Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "list", "--name").lines().map(String::strip)
                .filter(line -> !line.isEmpty()).toList();
    }

    private static String domstate(String name) {
        return Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "domstate", name, "--reason").strip();
    }
}
