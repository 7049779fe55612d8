package io.vmplane.gateway.vm;

import io.vmplane.schemas.messages.VmCommand;
import reactor.core.publisher.Mono;

/** Makes a command durable on {@code vm.commands.v1}; completes when the broker acknowledged it. */
public interface CommandPublisher {

    Mono<Void> publish(VmCommand command);
}
