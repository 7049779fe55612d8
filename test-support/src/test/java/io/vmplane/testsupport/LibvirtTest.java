package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtTest {

    private static final String TAGGED = """
            <domain type='kvm'>
              <name>vm-1</name>
              <metadata>
                <vmplane:stack xmlns:vmplane="https://vmplane.io/xmlns/stack/1">dev-0011aabb</vmplane:stack>
              </metadata>
            </domain>
            """;

    @Test
    void shouldRecognizeTheDomainOfItsStack() {
        // when / then
        assertThat(Libvirt.stackTag("dev-0011aabb").matcher(TAGGED).find()).isTrue();
    }

    @Test
    void shouldNotRecognizeTheDomainOfAnotherStackWithTheSamePrefix() {
        // when / then
        assertThat(Libvirt.stackTag("dev-0011").matcher(TAGGED).find()).isFalse();
    }

    @Test
    void shouldReadVolumeNamesFromVolList() {
        // given
        String output = """
                 Name              Path
                ------------------------------------------------------
                 ubuntu.iso        /var/lib/libvirt/images/ubuntu.iso
                 vm-1-disk0        /var/lib/libvirt/images/vm-1-disk0

                """;

        // when / then
        assertThat(Libvirt.volumeNames(new Virsh.Result(0, output, ""))).containsExactly("ubuntu.iso", "vm-1-disk0");
    }

    @Test
    void shouldNotTakeAStalePidFileNamingAnotherLiveProcessForTheDaemon(@TempDir Path dir) throws IOException {
        // given: the pid file of a daemon from an earlier boot, its pid now used by this JVM
        Path pidFile = Files.writeString(dir.resolve("libvirtd.pid"), ProcessHandle.current().pid() + "\n");

        // when / then
        assertThat(Libvirt.daemonRunning(pidFile, "libvirtd")).isFalse();
    }

    @Test
    void shouldTakeAPidFileNamingALiveProcessOfThatNameForTheDaemon(@TempDir Path dir) throws IOException {
        // given
        long pid = ProcessHandle.current().pid();
        String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        Path pidFile = Files.writeString(dir.resolve("daemon.pid"), pid + "\n");

        // when / then
        assertThat(Libvirt.daemonRunning(pidFile, comm)).isTrue();
        assertThat(Libvirt.daemonRunning(dir.resolve("missing.pid"), comm)).isFalse();
    }
}
