package io.vmplane.console.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final List<URI> allowed = List.of(URI.create("http://localhost:8080"), URI.create("https://c.example"));

    @Test
    void shouldAllowListedOriginsOnly() {
        OriginPolicy policy = new OriginPolicy(allowed, true);
        assertThat(policy.allows("http://localhost:8080")).isTrue();
        assertThat(policy.allows("https://C.example:443")).isTrue();
        assertThat(policy.allows("http://evil.example")).isFalse();
        assertThat(policy.allows("http://localhost:8081")).isFalse();
        assertThat(policy.allows("null")).isFalse();
    }

    @Test
    void shouldTreatAMissingOriginByConfiguration() {
        assertThat(new OriginPolicy(allowed, true).allows(null)).isTrue();
        assertThat(new OriginPolicy(allowed, false).allows(null)).isFalse();
    }
}
