package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtIT {

    @Test
    void shouldAnswerOnTheSystemUriOnceTheDaemonsAreEnsured() {
        // when
        Libvirt.ensureDaemons();

        // then
        assertThat(Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "version")).contains("Running hypervisor");
    }

    @Test
    void shouldProvideAnActiveDefaultPoolWithTheUbuntuIso() {
        // when
        Libvirt.ensureDefaultPool();
        Libvirt.ensureDefaultPool();

        // then
        assertThat(Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "pool-info", "default")).containsPattern("State:\\s+running");
        assertThat(Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "vol-list", "--pool", "default")).contains("ubuntu.iso");
    }

    @Test
    void shouldDescribeASimulatedHostWithPoolsAndTheGpu(@TempDir Path dir) {
        // given
        String uri = Libvirt.testUri(Libvirt.writeSimulatedHost(dir, "sim-1", true));

        // when
        String pools = Libvirt.virsh("-c", uri, "pool-list", "--all");
        String volumes = Libvirt.virsh("-c", uri, "vol-list", "--pool", "default");
        String node = Libvirt.virsh("-c", uri, "nodeinfo");
        String gpu = Libvirt.virsh("-c", uri, "nodedev-dumpxml", "pci_0000_3b_00_0");

        // then
        assertThat(pools).contains("default", "fast", "bulk");
        assertThat(volumes).contains("ubuntu.iso");
        assertThat(node).containsPattern("CPU\\(s\\):\\s+32").containsPattern("Memory size:\\s+67108864 KiB");
        assertThat(gpu).contains("<vendor id='0x10de'>", "<product id='0x1eb8'>", "<iommuGroup number='30'>");
    }

    @Test
    void shouldLeaveTheGpuOutOfOtherSimulatedHosts(@TempDir Path dir) {
        // when
        Path host = Libvirt.writeSimulatedHost(dir, "sim-2", false);

        // then
        assertThat(host).isEqualTo(dir.toAbsolutePath().resolve("sim-2.xml"));
        assertThat(Libvirt.virsh("-c", Libvirt.testUri(host), "vol-list", "--pool", "fast")).doesNotContain("ubuntu");
        assertThat(contentOf(host)).doesNotContain("pci_0000_3b_00_0").contains("/sim/sim-2/bulk");
    }

    @Test
    void shouldRemoveOnlyTheDomainsAndVolumesOfItsStack() {
        // given
        Libvirt.ensureDefaultPool();
        String stack = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String otherStack = stack + "-other";
        String mine = "vm-" + UUID.randomUUID();
        String theirs = "vm-" + UUID.randomUUID();
        define(mine, stack);
        define(theirs, otherStack);
        Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "vol-create-as", "default", mine + "-disk0", "1M", "--format", "qcow2");

        // when
        var removed = Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stack);

        // then
        String domains = Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "list", "--all", "--name");
        String volumes = Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "vol-list", "--pool", "default");
        Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, otherStack);
        assertThat(removed).containsExactly(mine);
        assertThat(domains).doesNotContain(mine).contains(theirs);
        assertThat(volumes).doesNotContain(mine).contains("ubuntu.iso");
    }

    private static void define(String name, String stack) {
        String xml = """
                <domain type='qemu'>
                  <name>%s</name>
                  <metadata>
                    <vmplane:stack xmlns:vmplane="https://vmplane.io/xmlns/stack/1">%s</vmplane:stack>
                  </metadata>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64'>hvm</type></os>
                </domain>
                """.formatted(name, stack);
        try {
            Path file = Files.createTempFile("vmplane-it-", ".xml");
            Files.writeString(file, xml);
            Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "define", file.toString());
            Files.delete(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String contentOf(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
