package io.vmplane.store.redis;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Json;
import io.vmplane.store.HostRecord;
import io.vmplane.store.HostRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One hash per host, {@code vmplane:host:{<id>}} (inventory JSON, limits, reported status, last heartbeat), and the
 * set {@code vmplane:hosts} of hosts that published an inventory. A host that only sent heartbeats is not listed:
 * placement cannot use a host whose capacity it does not know.
 */
public final class RedisHostRegistry implements HostRegistry {

    private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");

    private final RedisAsyncCommands<String, String> redis;

    public RedisHostRegistry(RedisAsyncCommands<String, String> redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Override
    public Mono<Void> putInventory(HostInventory inventory, int vcpuLimit, long memoryLimitMib) {
        String hostId = Objects.requireNonNull(inventory.hostId(), "inventory.hostId");
        Map<String, String> fields = Map.of(
                "inventory", Json.writeString(inventory),
                "vcpu_limit", Integer.toString(vcpuLimit),
                "memory_limit_mib", Long.toString(memoryLimitMib));
        // The hash first, then the set: a listed host always has its hash.
        return Mono.fromCompletionStage(() -> redis.hset(RedisKeys.host(hostId), fields))
                .then(Mono.fromCompletionStage(() -> redis.sadd(RedisKeys.HOSTS, hostId)))
                .then();
    }

    @Override
    public Mono<Void> heartbeat(HostHeartbeat heartbeat) {
        String hostId = Objects.requireNonNull(heartbeat.hostId(), "heartbeat.hostId");
        HostStatus status = heartbeat.status() == null ? HostStatus.UP : heartbeat.status();
        Instant at = heartbeat.at() == null ? Instant.now() : heartbeat.at();
        return HEARTBEAT.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {RedisKeys.host(hostId)},
                Long.toString(at.toEpochMilli()), at.toString(), status.wire()).then();
    }

    @Override
    public Mono<HostRecord> host(String hostId) {
        return Mono.fromCompletionStage(() -> redis.hgetall(RedisKeys.host(hostId)))
                .filter(hash -> hash.containsKey("inventory"))
                .map(RedisHostRegistry::fromHash);
    }

    @Override
    public Flux<HostRecord> hosts() {
        return Mono.fromCompletionStage(() -> redis.smembers(RedisKeys.HOSTS))
                .flatMapIterable(ids -> ids.stream().sorted().toList())
                .flatMapSequential(this::host, 16);
    }

    static HostRecord fromHash(Map<String, String> hash) {
        String status = hash.get("reported_status");
        String heartbeat = hash.get("last_heartbeat");
        return new HostRecord(Json.read(hash.get("inventory"), HostInventory.class),
                Integer.parseInt(hash.getOrDefault("vcpu_limit", "0")),
                Long.parseLong(hash.getOrDefault("memory_limit_mib", "0")),
                status == null ? null : HostStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT)),
                heartbeat == null ? null : Instant.parse(heartbeat));
    }
}
