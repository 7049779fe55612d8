package io.vmplane.agent.provision;

import java.util.Optional;

import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.LibvirtXml;

/**
 * Whether an existing domain named like a VM id is this stack's. VM ids derive from a project and an
 * Idempotency-Key, so two stacks sharing one libvirtd (two checkouts on one machine, a test run beside
 * {@code ./dev up}) can name the same domain: an agent then neither adopts, starts, stops nor removes the other
 * stack's domain (or its volumes), and says why.
 */
public final class DomainOwnership {

    private DomainOwnership() {
    }

    /**
     * Why the existing domain {@code vmId} is not this stack's, or empty when it carries this stack's tag.
     *
     * @param stackId this agent's stack id
     */
    public static Optional<String> foreign(Hypervisor hypervisor, String vmId, String stackId, String hostId) {
        Optional<LibvirtXml.StackTag> tag = LibvirtXml.stackTag(hypervisor.liveDomain(vmId).xml());
        if (tag.isPresent() && tag.get().stackId().equals(stackId)) {
            return Optional.empty();
        }
        String owner = tag.map(t -> "stack " + t.stackId()).orElse("no stack (it has no vmplane tag)");
        return Optional.of("a domain named " + vmId + " already exists on host " + hostId + " and belongs to " + owner
                + ", not to this stack (" + stackId + "): it was left alone");
    }
}
