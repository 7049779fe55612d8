package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HostFactsTest {

    private static final String VM_A = "vm-0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f";
    private static final String VM_B = "vm-9e8d7c6b-5a49-4382-b1c0-ffeeddccbbaa";

    @Test
    void shouldReportOnlyDomainsNamedLikeVmIdsSortedAndOnce() {
        // Given: an active and an inactive VM domain, the KVM probe, a hand-made domain, a repeat
        List<String> names = List.of(VM_B, "vmplane-probe-sim-1", VM_A, "test", "vm-not-a-uuid", VM_B);

        // When
        List<String> domains = HostFacts.vmDomains(names);

        // Then
        assertThat(domains).containsExactly(VM_A, VM_B);
    }

    @Test
    void shouldReportNoDomainsForAnEmptyHost() {
        // Given / When / Then
        assertThat(HostFacts.vmDomains(List.of())).isEmpty();
    }
}
