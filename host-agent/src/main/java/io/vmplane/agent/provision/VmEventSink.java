package io.vmplane.agent.provision;

import io.vmplane.schemas.messages.VmEvent;

/** Where the agent's VM events go; {@link #publish} returns once the event is durable, or throws. */
@FunctionalInterface
public interface VmEventSink {

    void publish(VmEvent event);
}
