package io.vmplane.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.DomainContext;
import io.vmplane.agent.domain.DomainXml;
import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;
import io.vmplane.agent.hypervisor.VirtType;
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
 * An agent restarted on the real host ({@code qemu:///system}) reports what its stack's domains really are after
 * changes no agent saw, each in the generation whose final event was published last. QEMU/TCG, diskless 128 MiB
 * guests booting the ISO; everything carries the test's stack id and is removed.
 */
class RealQemuRestartReportIT {

    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final String host = "qemu-" + stackId;
    private final ProvisionHandler.Identity identity = new ProvisionHandler.Identity(host, stackId, "127.0.0.1");
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private Hypervisor hypervisor;

    @BeforeEach
    void connect() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
        hypervisor = connectAgain();
    }

    @AfterEach
    void removeWhatTheTestMade() {
        try {
            hypervisor.close();
        }
        finally {
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
        }
    }

    @Test
    void shouldReportTheTruthOfEachReportedDomainOfItsStackAfterARestart() {
        // Given A running (generation 1), B stopped by the agent (generation 2), C defined by a provision that
        // never reported, then, with no agent watching, A powered off and B started by hand
        var provision = new ProvisionHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
        var lifecycle = new LifecycleHandler(hypervisor, identity, Clock.systemUTC(), events::add, () -> { });
        String a = VmIds.newVmId();
        String b = VmIds.newVmId();
        String c = VmIds.newVmId();
        provision.handle(new HostCommand.ProvisionVm("cmd-a", host, a, 1, spec(), List.of(), deadline()));
        provision.handle(new HostCommand.ProvisionVm("cmd-b", host, b, 1, spec(), List.of(), deadline()));
        lifecycle.handle(new HostCommand.StopDomain("cmd-b2", host, b, 2, 0, true, deadline()));
        assertThat(events).extracting(VmEvent::status).containsSubsequence(VmStatus.RUNNING, VmStatus.RUNNING,
                VmStatus.STOPPED);
        hypervisor.defineDomain(DomainXml.render(c, spec(), new DomainContext(stackId, hypervisor.domainType(),
                hypervisor.emulator().orElse(null), List.of(), new VolumeRef("default", "ubuntu.iso"), List.of(),
                "127.0.0.1")));
        hypervisor.close();
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "destroy", a);
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "start", b);
        events.clear();

        // When the agent starts again
        hypervisor = connectAgain();
        int published = new RestartReport(hypervisor, identity, Clock.systemUTC(), events::add).publish();

        // Then A is reported stopped in generation 1, B running in generation 2, C not at all, and a second start
        // finds nothing changed
        int again = new RestartReport(hypervisor, identity, Clock.systemUTC(), events::add).publish();
        assertThat(published).isEqualTo(2);
        assertThat(again).isZero();
        assertThat(events).hasSize(2);
        assertThat(events).filteredOn(e -> a.equals(e.vmId())).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.STOPPED);
            assertThat(e.version()).isEqualTo(VmEvent.version(1, VmEvent.Phase.OBSERVED));
            assertThat(e.host()).isEqualTo(host);
        });
        assertThat(events).filteredOn(e -> b.equals(e.vmId())).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(VmStatus.RUNNING);
            assertThat(e.version()).isEqualTo(VmEvent.version(2, VmEvent.Phase.OBSERVED));
            assertThat(e.domainXml()).contains("<name>" + b + "</name>");
        });
    }

    private Hypervisor connectAgain() {
        return new LibvirtHypervisor(Libvirt.SYSTEM_URI, VirtType.QEMU,
                new KvmProbeSettings(host, Optional.empty(), Duration.ofSeconds(6)));
    }

    private static VmSpec spec() {
        return new VmSpec("restart", 128, 1, new StorageSpec("default", "ubuntu.iso", List.of()), List.of(),
                new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
    }

    private static Instant deadline() {
        return Instant.now().plus(Duration.ofMinutes(5));
    }
}
