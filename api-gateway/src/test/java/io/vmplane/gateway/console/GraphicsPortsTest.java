package io.vmplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class GraphicsPortsTest {

    private static final String LIVE = """
            <domain type='kvm' id='7'>
              <name>vm-1</name>
              <description>graphics type='vnc' port='1'</description>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <graphics type='spice' port='5931' autoport='yes' listen='127.0.0.1'>
                  <listen type='address' address='127.0.0.1'/>
                </graphics>
                <graphics type='vnc' port='5902' autoport='yes' listen='127.0.0.1'/>
              </devices>
            </domain>
            """;

    @Test
    void shouldReadThePortOfTheWantedGraphicsType() {
        assertThat(GraphicsPorts.port(LIVE, "vnc")).isEqualTo(OptionalInt.of(5902));
        assertThat(GraphicsPorts.port(LIVE, "spice")).isEqualTo(OptionalInt.of(5931));
    }

    @Test
    void shouldFindNoPortBeforeLibvirtAllocatedOne() {
        assertThat(GraphicsPorts.port("<domain><devices><graphics type='vnc' port='-1' autoport='yes'/></devices>"
                + "</domain>", "vnc")).isEmpty();
        assertThat(GraphicsPorts.port("<domain><devices><graphics type='vnc' autoport='yes'/></devices></domain>",
                "vnc")).isEmpty();
    }

    @Test
    void shouldIgnoreGraphicsOutsideTheDomainsDevices() {
        assertThat(GraphicsPorts.port("<domain><metadata><graphics type='vnc' port='5999'/></metadata>"
                + "<devices/></domain>", "vnc")).isEmpty();
    }

    @Test
    void shouldFindNothingInMissingOrMalformedXml() {
        assertThat(GraphicsPorts.port(null, "vnc")).isEmpty();
        assertThat(GraphicsPorts.port("", "vnc")).isEmpty();
        assertThat(GraphicsPorts.port("<domain><devices><graphics type='vnc' port='5900'", "vnc")).isEmpty();
        assertThat(GraphicsPorts.port("<domain><devices><graphics type='vnc' port='x'/></devices></domain>", "vnc"))
                .isEmpty();
        assertThat(GraphicsPorts.port("<domain><devices><graphics type='vnc' port='70000'/></devices></domain>",
                "vnc")).isEmpty();
    }

    @Test
    void shouldNotResolveEntitiesOrDoctypes() {
        // Given an XML bomb / external entity in a DOCTYPE
        String hostile = "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<domain><devices><graphics type='vnc' port='&x;'/></devices></domain>";

        // Then nothing is read from outside and no port found
        assertThat(GraphicsPorts.port(hostile, "vnc")).isEmpty();
    }
}
