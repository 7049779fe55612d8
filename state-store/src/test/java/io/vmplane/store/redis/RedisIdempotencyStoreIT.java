package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.store.IdempotencyStore;
import io.vmplane.store.IdempotencyStore.Entry;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisIdempotencyStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofHours(24);

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static IdempotencyStore store;

    @BeforeAll
    static void connect() {
        client = RedisClient.create(SharedInfra.redis().uri());
        connection = client.connect();
        store = new RedisIdempotencyStore(connection.async());
    }

    @AfterAll
    static void close() {
        connection.close();
        client.shutdown();
    }

    @Test
    void shouldStoreTheFirstEntry() {
        // Given
        String key = UUID.randomUUID().toString();
        Entry entry = new Entry("hash-1", "vm-1", "op-1");

        // When
        Entry answer = store.putIfAbsent("dev", key, entry, TTL).block(TIMEOUT);

        // Then
        assertThat(answer).isEqualTo(entry);
    }

    @Test
    void shouldReturnTheFirstEntryToALaterPut() {
        // Given
        String key = UUID.randomUUID().toString();
        Entry first = new Entry("hash-1", "vm-1", "op-1");
        store.putIfAbsent("dev", key, first, TTL).block(TIMEOUT);

        // When
        Entry answer = store.putIfAbsent("dev", key, new Entry("hash-2", "vm-2", "op-2"), TTL).block(TIMEOUT);

        // Then
        assertThat(answer).isEqualTo(first);
    }

    @Test
    void shouldScopeKeysPerProject() {
        // Given
        String key = UUID.randomUUID().toString();
        store.putIfAbsent("team-a", key, new Entry("hash-a", "vm-a", "op-a"), TTL).block(TIMEOUT);
        Entry other = new Entry("hash-b", "vm-b", "op-b");

        // When
        Entry answer = store.putIfAbsent("team-b", key, other, TTL).block(TIMEOUT);

        // Then
        assertThat(answer).isEqualTo(other);
    }

    @Test
    void shouldGiveEveryConcurrentCallerTheSameEntry() throws Exception {
        // Given
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Entry>> puts = IntStream.range(0, 32)
                .<Callable<Entry>>mapToObj(i -> () -> store.putIfAbsent("dev", key,
                        new Entry("hash-" + i, "vm-" + i, "op-" + i), TTL).block(TIMEOUT))
                .toList();

        // When
        List<Future<Entry>> answers = pool.invokeAll(puts);
        pool.shutdown();

        // Then
        Entry winner = answers.get(0).get();
        for (Future<Entry> answer : answers) {
            assertThat(answer.get()).isEqualTo(winner);
        }
    }

    @Test
    void shouldExpireTheEntryAfterItsTimeToLive() {
        // Given
        String key = UUID.randomUUID().toString();

        // When
        store.putIfAbsent("dev", key, new Entry("hash-1", "vm-1", "op-1"), Duration.ofMinutes(5)).block(TIMEOUT);

        // Then
        Long ttlMillis = connection.sync().pttl(RedisKeys.idempotency("dev", key));
        assertThat(ttlMillis).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
    }
}
