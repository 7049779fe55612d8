package io.vmplane.agent;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** {@code /actuator/health}: up while the agent reads its commands and holds its libvirt connection. */
public final class AgentHealthIndicator implements HealthIndicator {

    private final AgentRuntime runtime;

    public AgentHealthIndicator(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        return runtime.healthy() ? Health.up().build() : Health.down().build();
    }
}
