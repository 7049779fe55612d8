package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.store.RedriveLog;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisRedriveLogIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofMinutes(10);

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedriveLog log;

    @BeforeAll
    static void connect() {
        client = RedisClient.create(SharedInfra.redis().uri());
        connection = client.connect();
        log = new RedisRedriveLog(connection.async());
    }

    @AfterAll
    static void close() {
        connection.close();
        client.shutdown();
    }

    @Test
    void shouldRecordEachRedriveNumberOnceAndListThemInOrder() {
        // Given a VM without re-drives
        String vm = "vm-" + UUID.randomUUID();
        Instant first = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(log.of(vm, 1, 3).block(TIMEOUT)).isEmpty();

        // When two callers record re-drive 1 and one records re-drive 2
        boolean won = log.record(vm, 1, 1, first, TTL).block(TIMEOUT);
        boolean lost = log.record(vm, 1, 1, first.plusSeconds(1), TTL).block(TIMEOUT);
        boolean second = log.record(vm, 1, 2, first.plusSeconds(60), TTL).block(TIMEOUT);

        // Then only the first recording of number 1 counts, and both re-drives are listed
        assertThat(won).isTrue();
        assertThat(lost).isFalse();
        assertThat(second).isTrue();
        assertThat(log.of(vm, 1, 3).block(TIMEOUT)).containsExactly(first, first.plusSeconds(60));
        assertThat(log.of(vm, 2, 3).block(TIMEOUT)).isEmpty();
        assertThat(log.of(vm, 1, 1).block(TIMEOUT)).containsExactly(first);
    }

    @Test
    void shouldRefuseARedriveNumberBelowOne() {
        assertThat(log.record("vm-x", 1, 0, Instant.now(), TTL).onErrorReturn(IllegalArgumentException.class, false)
                .block(TIMEOUT)).isFalse();
        assertThat(log.of("vm-x", 1, 0).block(TIMEOUT)).isEqualTo(List.of());
    }
}
