package io.vmplane.store;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Hosts and their latest inventory and heartbeat. */
public interface HostRegistry {

    /** Stores a host's inventory with the limits placement applies to it (total × overcommit). */
    Mono<Void> putInventory(HostInventory inventory, int vcpuLimit, long memoryLimitMib);

    Mono<Void> heartbeat(HostHeartbeat heartbeat);

    Mono<HostRecord> host(String hostId);

    /** Every known host, ordered by id. */
    Flux<HostRecord> hosts();
}
