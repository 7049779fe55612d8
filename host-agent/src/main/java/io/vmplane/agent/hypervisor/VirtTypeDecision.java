package io.vmplane.agent.hypervisor;

import java.util.Objects;

import io.vmplane.agent.domain.DomainType;

/**
 * The domain type an agent gives its domains, and why (logged at start).
 *
 * @param type    the libvirt domain type
 * @param reason  what the decision rests on, for people: a probe's outcome, a setting, a capability check
 */
public record VirtTypeDecision(DomainType type, String reason) {

    public VirtTypeDecision {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reason, "reason");
    }
}
