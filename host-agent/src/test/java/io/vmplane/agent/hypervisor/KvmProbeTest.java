package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class KvmProbeTest {

    @Test
    void shouldRecogniseOnlyTheProbeDomainsOfItsOwnHost() {
        assertThat(KvmProbe.isProbeOf("vmplane-kvm-probe-qemu-1-0a1b2c3d", "qemu-1")).isTrue();
        assertThat(KvmProbe.isProbeOf("vmplane-kvm-probe-qemu-1-x-0a1b2c3d", "qemu-1")).isFalse();
        assertThat(KvmProbe.isProbeOf("vmplane-kvm-probe-qemu-10-0a1b2c3d", "qemu-1")).isFalse();
        assertThat(KvmProbe.isProbeOf("vmplane-kvm-probe-qemu-1-0a1b2c3d", "qemu.1")).isFalse();
        assertThat(KvmProbe.isProbeOf("vm-0a1b2c3d", "qemu-1")).isFalse();
    }

    @Test
    void shouldDescribeASmallKvmDomainWithoutNicBootingTheImageUnrelabelled() {
        // When
        String xml = KvmProbe.domainXml("vmplane-kvm-probe-qemu-1-0a1b2c3d", Path.of("/images/a&b.iso"),
                "/usr/bin/qemu-system-x86_64");

        // Then
        assertThat(xml).startsWith("<domain type=\"kvm\">")
                .contains("<name>vmplane-kvm-probe-qemu-1-0a1b2c3d</name>")
                .contains("<memory unit=\"MiB\">128</memory>")
                .contains("<boot dev=\"cdrom\"/>")
                .contains("<emulator>/usr/bin/qemu-system-x86_64</emulator>")
                .contains("<source file=\"/images/a&amp;b.iso\"><seclabel model=\"dac\" relabel=\"no\"/></source>")
                .doesNotContain("<interface").doesNotContain("<graphics");
    }
}
