package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimulatedHostTemplateTest {

    private static final String TEMPLATE = String.join("\n",
            "<node>",
            "  <pool><target><path>/sim/@HOST_ID@/default</path></target></pool>",
            "  <!-- @GPU_BEGIN@ -->",
            "  <device><name>pci_0000_3b_00_0</name></device>",
            "  <!-- @GPU_END@ -->",
            "</node>");

    @Test
    void shouldKeepTheGpuDeviceForTheGpuHost() {
        // when
        String xml = SimulatedHostTemplate.render(TEMPLATE, "sim-1", true);

        // then
        assertThat(xml).contains("/sim/sim-1/default", "pci_0000_3b_00_0").doesNotContain("@HOST_ID@");
    }

    @Test
    void shouldDropTheGpuDeviceForOtherHosts() {
        // when
        String xml = SimulatedHostTemplate.render(TEMPLATE, "sim-2", false);

        // then
        assertThat(xml).contains("/sim/sim-2/default", "</node>").doesNotContain("pci_", "GPU_");
    }

    @Test
    void shouldRenderTheRepositoryTemplateWithAllPools() {
        // when
        String xml = SimulatedHostTemplate.render(SimulatedHostTemplate.load(), "sim-7", false);

        // then
        assertThat(xml).contains("<name>default</name>", "<name>fast</name>", "<name>bulk</name>",
                "<name>ubuntu.iso</name>", "<active>32</active>", "<memory>67108864</memory>");
    }

    @Test
    void shouldRefuseAHostIdThatIsNotAPlainName() {
        // when / then
        assertThatThrownBy(() -> SimulatedHostTemplate.render(TEMPLATE, "../etc", false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
