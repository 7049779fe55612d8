package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

class VmCreationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String hashOf(String body) {
        return VmCreation.hash(CreateRequestValidator.validate(JSON.readTree(body), false).spec());
    }

    @Test
    void shouldHashEqualRequestsEquallyWhateverTheirLayoutAndDefaults() {
        // Given the same request written twice: members reordered, defaults spelled out
        String reordered = """
                {"vcpus": 2, "storage": {"disks": [{"size": 20, "action": "create", "format": "qcow2",
                 "bus": "virtio", "pool": "default"}], "boot_iso": "ubuntu.iso", "default_pool": "default"},
                 "memory": 4096, "name": "test-vm", "graphics": {"type": "vnc"}, "pci_devices": []}""";
        // When both are hashed
        // Then the hashes are equal
        assertThat(hashOf(reordered)).isEqualTo(hashOf(Examples.SIMPLE)).hasSize(64);
    }

    @Test
    void shouldHashDifferentRequestsDifferently() {
        assertThat(hashOf(Examples.SIMPLE.replace("4096", "8192"))).isNotEqualTo(hashOf(Examples.SIMPLE));
    }
}
