package io.vmplane.store.redis;

import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.schemas.messages.Json;
import io.vmplane.store.IdempotencyStore;
import reactor.core.publisher.Mono;

/**
 * Idempotency keys as JSON strings {@code vmplane:idem:<project>:<key>} with a time to live, written with
 * {@code SET NX PX} and read back in the same script, so the first writer's entry is what every caller gets.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

    private static final LuaScript PUT_IF_ABSENT = LuaScript.load("put-if-absent");

    private final RedisAsyncCommands<String, String> redis;

    public RedisIdempotencyStore(RedisAsyncCommands<String, String> redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Override
    public Mono<Entry> putIfAbsent(String project, String key, Entry entry, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            return Mono.error(new IllegalArgumentException("ttl must be positive: " + ttl));
        }
        String[] keys = {RedisKeys.idempotency(project, key)};
        return PUT_IF_ABSENT.<String>run(redis, ScriptOutputType.VALUE, keys, Json.writeString(entry),
                        Long.toString(Math.max(1, ttl.toMillis())))
                .map(json -> Json.read(json, Entry.class));
    }

    @Override
    public Mono<Entry> get(String project, String key) {
        return Mono.fromCompletionStage(() -> redis.get(RedisKeys.idempotency(project, key)))
                .map(json -> Json.read(json, Entry.class));
    }
}
