package io.vmplane.store;

import io.vmplane.schemas.messages.VmEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** VM views and their operations. Every instance of every service sees the same data. */
public interface VmStore {

    /**
     * Records a VM accepted by the gateway ({@code pending}, version of phase ACCEPTED) with its operation, unless a
     * VM with that id exists already: then nothing changes. Atomic.
     *
     * @return the stored VM: the new one, or the one that existed
     */
    Mono<VmRecord> createPending(VmRecord vm, OperationRecord operation);

    Mono<VmRecord> get(String vmId);

    Mono<OperationRecord> operation(String operationId);

    /**
     * Applies an event if its version is higher than the stored one (atomically; older or equal versions are
     * ignored), and moves the VM's current operation along: phase ACCEPTED → {@code pending}, PLACED/EXECUTING →
     * {@code running}, FINAL → {@code succeeded} or {@code failed} with the event's reason.
     *
     * @return true if applied
     */
    Mono<Boolean> apply(VmEvent event);

    /** Ids of VMs whose latest operation has not ended, for deadline sweeps. */
    Flux<String> activeVmIds();

    /** All VMs, newest first (admin and tests; paging comes with the list endpoint). */
    Flux<VmRecord> all();
}
