package io.vmplane.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.StateStores;
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
    private static final LuaScript BEGIN_OPERATION = LuaScript.load("begin-operation");

    /** A begin that lost a race for the generation reads again and retries, this many times at most. */
    static final int BEGIN_ATTEMPTS = 32;

    private final RedisAsyncCommands<String, String> redis;
    private final Duration operationRetention;

    public RedisVmStore(RedisAsyncCommands<String, String> redis) {
        this(redis, StateStores.Options.DEFAULT.operationRetention());
    }

    /** @param operationRetention how long an ended operation's hash is kept */
    public RedisVmStore(RedisAsyncCommands<String, String> redis, Duration operationRetention) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.operationRetention = Objects.requireNonNull(operationRetention, "operationRetention");
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
                RedisKeys.ACTIVE_VMS, RedisKeys.projectVms(Objects.requireNonNull(vm.project(), "vm.project"))};
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
        var argList = new ArrayList<>(VmHashes.applyArgs(event, Instant.now()));
        argList.add(Long.toString(Math.max(1, operationRetention.toMillis())));
        argList.add(RedisKeys.PROJECT_VMS_PREFIX);
        argList.add(RedisKeys.ALL_VMS);
        String[] args = argList.toArray(String[]::new);
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

    @Override
    public Flux<VmRecord> page(String projectOrNull, PageCursor after, int limit) {
        if (limit < 1) {
            return Flux.error(new IllegalArgumentException("limit must be positive: " + limit));
        }
        String key = projectOrNull == null ? RedisKeys.ALL_VMS : RedisKeys.projectVms(projectOrNull);
        return pageIds(key, after, limit).flatMapIterable(ids -> ids).flatMapSequential(this::get, 16);
    }

    /**
     * The ids after the cursor, newest first: the cursor's ties (same score, smaller id) then the lower scores.
     * A sorted set orders equal scores by member, so this is exactly the order of {@code ZREVRANGE}.
     */
    private Mono<List<String>> pageIds(String key, PageCursor after, int limit) {
        if (after == null) {
            return Mono.fromCompletionStage(() -> redis.zrevrange(key, 0, limit - 1L));
        }
        Range<Double> tie = Range.create((double) after.createdAtMillis(), (double) after.createdAtMillis());
        Range<Double> below = Range.from(Range.Boundary.unbounded(),
                Range.Boundary.excluding((double) after.createdAtMillis()));
        Mono<List<String>> ties = Mono.fromCompletionStage(() -> redis.zrevrangebyscore(key, tie))
                .map(ids -> ids.stream().filter(id -> id.compareTo(after.vmId()) < 0).limit(limit).toList());
        return ties.flatMap(first -> first.size() >= limit
                ? Mono.just(first)
                : Mono.fromCompletionStage(() -> redis.zrevrangebyscore(key, below,
                                Limit.create(0, limit - first.size())))
                        .map(rest -> {
                            var ids = new ArrayList<String>(first);
                            ids.addAll(rest);
                            return ids;
                        }));
    }

    @Override
    public Mono<BeginResult> beginOperation(BeginOperation request) {
        return Mono.defer(() -> beginOnce(request))
                .repeatWhenEmpty(BEGIN_ATTEMPTS - 1, attempts -> attempts)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                        "could not begin " + request.kind() + " of " + request.vmId() + ": the VM kept changing")));
    }

    /** One attempt: empty when the generation moved between the read and the script (a lost race). */
    private Mono<BeginResult> beginOnce(BeginOperation request) {
        return Mono.fromCompletionStage(() -> redis.hget(RedisKeys.vm(request.vmId()), "generation"))
                .map(Long::parseLong)
                .defaultIfEmpty(0L)
                .flatMap(generation -> {
                    long next = generation + 1;
                    String operationId = VmIds.operationIdFor(request.vmId(), next);
                    var args = new ArrayList<String>();
                    args.add(Long.toString(generation));
                    args.add(Long.toString(next));
                    args.add(operationId);
                    args.add(request.kind());
                    args.add(request.acceptedStatus() == null ? "" : request.acceptedStatus().wire());
                    args.add(Long.toString(VmEvent.version(next, VmEvent.Phase.ACCEPTED)));
                    args.add(request.now().toString());
                    args.add(request.deadline().toString());
                    args.add(request.vmId());
                    args.add(RedisKeys.OPERATION_PREFIX);
                    args.add(String.join(",", request.supersedes()));
                    args.add(Long.toString(operationRetention.toMillis()));
                    args.add(request.replaceable() ? "1" : "0");
                    request.allowedStatuses().forEach(status -> args.add(status.wire()));
                    String[] keys = {RedisKeys.vm(request.vmId()), RedisKeys.operation(operationId),
                            RedisKeys.ACTIVE_VMS};
                    return BEGIN_OPERATION.<List<Object>>run(redis, ScriptOutputType.MULTI, keys,
                            args.toArray(String[]::new));
                })
                .flatMap(reply -> {
                    String outcome = String.valueOf(reply.get(0));
                    if ("STALE".equals(outcome)) {
                        return Mono.empty();
                    }
                    String status = String.valueOf(reply.get(1));
                    String operationId = String.valueOf(reply.get(3));
                    return Mono.just(new BeginResult(Outcome.valueOf(outcome),
                            status.isEmpty() ? null : VmStatus.fromWire(status),
                            Long.parseLong(String.valueOf(reply.get(2))),
                            operationId.isEmpty() ? null : operationId));
                });
    }
}
