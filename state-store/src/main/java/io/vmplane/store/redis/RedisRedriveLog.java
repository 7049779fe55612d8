package io.vmplane.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.store.RedriveLog;
import reactor.core.publisher.Mono;

/**
 * Re-drives in Redis: one string per re-drive, {@code vmplane:redrive:<vm>:<generation>:<n>} → ISO-8601 time,
 * written with {@code SET NX PX}, so of two workers recording the same number only one succeeds.
 */
public final class RedisRedriveLog implements RedriveLog {

    private final RedisAsyncCommands<String, String> redis;

    public RedisRedriveLog(RedisAsyncCommands<String, String> redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Override
    public Mono<List<Instant>> of(String vmId, long generation, int max) {
        if (max < 1) {
            return Mono.just(List.of());
        }
        String[] keys = new String[max];
        for (int n = 1; n <= max; n++) {
            keys[n - 1] = RedisKeys.redrive(vmId, generation, n);
        }
        return Mono.fromCompletionStage(() -> redis.mget(keys)).map(values -> {
            List<Instant> times = new ArrayList<>();
            for (KeyValue<String, String> value : values) {
                if (!value.hasValue()) {
                    break;
                }
                times.add(Instant.parse(value.getValue()));
            }
            return List.copyOf(times);
        });
    }

    @Override
    public Mono<Boolean> record(String vmId, long generation, int n, Instant at, Duration ttl) {
        if (n < 1) {
            return Mono.error(new IllegalArgumentException("re-drive numbers start at 1, was " + n));
        }
        if (ttl.isNegative() || ttl.isZero()) {
            return Mono.error(new IllegalArgumentException("ttl must be positive: " + ttl));
        }
        SetArgs args = SetArgs.Builder.nx().px(Math.max(1, ttl.toMillis()));
        return Mono.fromCompletionStage(() -> redis.set(RedisKeys.redrive(vmId, generation, n), at.toString(), args))
                .map("OK"::equals)
                .defaultIfEmpty(false);
    }
}
