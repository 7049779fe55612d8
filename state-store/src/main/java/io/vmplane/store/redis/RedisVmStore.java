package io.vmplane.store.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * VMs and operations in Redis hashes ({@code vmplane:vm:<id>}, {@code vmplane:op:<id>}), a sorted set of all VM ids
 * by creation time and a set of active VM ids. {@link #createPending} and {@link #apply} are one Lua script each.
 * Results are emitted on Lettuce's I/O threads: subscribers must not block.
 */
public final class RedisVmStore implements VmStore {

    private static final LuaScript CREATE_PENDING = LuaScript.load("create-pending");
    private static final LuaScript APPLY_EVENT = LuaScript.load("apply-event");

    private final RedisAsyncCommands<String, String> redis;

    public RedisVmStore(RedisAsyncCommands<String, String> redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Override
    public Mono<VmRecord> createPending(VmRecord vm, OperationRecord operation) {
        Objects.requireNonNull(vm.id(), "vm.id");
        Objects.requireNonNull(operation.id(), "operation.id");
        Instant createdAt = vm.createdAt() == null ? Instant.now() : vm.createdAt();
        List<String> vmFields = VmHashes.flatten(VmHashes.toHash(vm));
        var args = new ArrayList<String>();
        args.add(vm.id());
        args.add(Long.toString(createdAt.toEpochMilli()));
        args.add(VmHashes.active(operation) ? "1" : "0");
        args.add(Integer.toString(vmFields.size()));
        args.addAll(vmFields);
        args.addAll(VmHashes.flatten(VmHashes.toHash(operation)));
        String[] keys = {RedisKeys.vm(vm.id()), RedisKeys.operation(operation.id()), RedisKeys.ALL_VMS,
                RedisKeys.ACTIVE_VMS};
        return CREATE_PENDING.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, args.toArray(String[]::new))
                .map(stored -> VmHashes.vmFromHash(vm.id(), VmHashes.pairs(stored)));
    }

    @Override
    public Mono<VmRecord> get(String vmId) {
        return Mono.fromCompletionStage(() -> redis.hgetall(RedisKeys.vm(vmId)))
                .filter(hash -> !hash.isEmpty())
                .map(hash -> VmHashes.vmFromHash(vmId, hash));
    }

    @Override
    public Mono<OperationRecord> operation(String operationId) {
        return Mono.fromCompletionStage(() -> redis.hgetall(RedisKeys.operation(operationId)))
                .filter(hash -> !hash.isEmpty())
                .map(hash -> VmHashes.operationFromHash(operationId, hash));
    }

    @Override
    public Mono<Boolean> apply(VmEvent event) {
        Objects.requireNonNull(event.vmId(), "event.vmId");
        String[] keys = {RedisKeys.vm(event.vmId()), RedisKeys.ACTIVE_VMS};
        String[] args = VmHashes.applyArgs(event, Instant.now()).toArray(String[]::new);
        return APPLY_EVENT.<Long>run(redis, ScriptOutputType.INTEGER, keys, args).map(applied -> applied == 1L);
    }

    @Override
    public Flux<String> activeVmIds() {
        return Mono.fromCompletionStage(() -> redis.smembers(RedisKeys.ACTIVE_VMS)).flatMapIterable(ids -> ids);
    }

    @Override
    public Flux<VmRecord> all() {
        return Mono.fromCompletionStage(() -> redis.zrevrange(RedisKeys.ALL_VMS, 0, -1))
                .flatMapIterable(ids -> ids)
                .flatMapSequential(this::get, 16);
    }
}
