package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
