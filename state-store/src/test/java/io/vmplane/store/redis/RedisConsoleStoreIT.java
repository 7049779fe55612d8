package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vmplane.store.StateStores;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleSession;
import io.vmplane.store.console.ConsoleStore;
import io.vmplane.store.console.SessionPlace;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

class RedisConsoleStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int INSTANCES = 4;

    private static final List<StateStores> stores = new CopyOnWriteArrayList<>();
    private static ConsoleStore consoles;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> rawConnection;
    private static RedisCommands<String, String> raw;

    @BeforeAll
    static void connect() {
        // one StateStores per simulated proxy instance: each has its own Redis connection
        for (int i = 0; i < INSTANCES; i++) {
            stores.add(StateStores.connect(SharedInfra.redis().uri()));
        }
        consoles = stores.get(0).consoles();
        rawClient = RedisClient.create(SharedInfra.redis().uri());
        rawConnection = rawClient.connect();
        raw = rawConnection.sync();
    }

    @AfterAll
    static void close() {
        stores.forEach(StateStores::close);
        rawConnection.close();
        rawClient.shutdown();
    }

    @Test
    void shouldGiveTheGrantToExactlyOneOfAThousandConcurrentConsumers() {
        // Given one issued token
        String token = newToken();
        ConsoleGrant grant = grant(vmId(), Duration.ofSeconds(60));
        consoles.issue(token, grant).block(TIMEOUT);

        // When 1,000 consumers on 4 connections race for it
        List<ConsoleGrant> won = Flux.range(0, 1000)
                .flatMap(i -> stores.get(i % INSTANCES).consoles().consume(token)
                        .subscribeOn(Schedulers.parallel()), 1000)
                .collectList()
                .block(TIMEOUT);

        // Then exactly one got it, intact
        assertThat(won).containsExactly(grant);
        assertThat(consoles.consume(token).block(TIMEOUT)).isNull();
    }

    @Test
    void shouldKeepOnlyTheTokensHashWithTheGrantsLifeAsTtl() {
        // Given
        String token = newToken();
        ConsoleGrant grant = grant(vmId(), Duration.ofSeconds(60));

        // When
        consoles.issue(token, grant).block(TIMEOUT);

        // Then the grant is under the SHA-256 of the token and nothing in Redis holds the token itself
        String key = "console:token:" + RedisConsoleStore.hash(token);
        assertThat(RedisConsoleStore.hash(token)).matches("[0-9a-f]{64}");
        assertThat(raw.get(key)).doesNotContain(token).contains(grant.vmId());
        assertThat(raw.pttl(key)).isBetween(1L, 60_000L);
        assertThat(raw.keys("*" + token + "*")).isEmpty();
        assertThat(raw.smembers("console:vm-tokens:" + grant.vmId())).containsExactly(RedisConsoleStore.hash(token));
    }

    @Test
    void shouldOpenNothingOnceTheGrantExpired() {
        // Given a token living 300 ms
        String token = newToken();
        consoles.issue(token, grant(vmId(), Duration.ofMillis(300))).block(TIMEOUT);
        String key = "console:token:" + RedisConsoleStore.hash(token);

        // When its TTL has passed
        await().atMost(TIMEOUT).until(() -> raw.exists(key) == 0);

        // Then
        assertThat(consoles.consume(token).block(TIMEOUT)).isNull();
    }

    @Test
    void shouldOpenNothingForAnUnknownToken() {
        assertThat(consoles.consume(newToken()).block(TIMEOUT)).isNull();
    }

    @Test
    void shouldRevokeOnlyTheVmsTokensAndAnnounceTheVmToEveryInstance() {
        // Given two tokens of one VM, one of another, and two instances listening for revocations
        String vm = vmId();
        String other = vmId();
        String first = newToken();
        String second = newToken();
        String others = newToken();
        consoles.issue(first, grant(vm, Duration.ofSeconds(60))).block(TIMEOUT);
        consoles.issue(second, grant(vm, Duration.ofSeconds(60))).block(TIMEOUT);
        consoles.issue(others, grant(other, Duration.ofSeconds(60))).block(TIMEOUT);
        List<String> heardByOne = new CopyOnWriteArrayList<>();
        List<String> heardByTwo = new CopyOnWriteArrayList<>();
        Disposable one = stores.get(1).consoles().revocations().subscribe(heardByOne::add);
        Disposable two = stores.get(2).consoles().revocations().subscribe(heardByTwo::add);
        try {
            // When
            consoles.revoke(vm).block(TIMEOUT);

            // Then
            assertThat(consoles.consume(first).block(TIMEOUT)).isNull();
            assertThat(consoles.consume(second).block(TIMEOUT)).isNull();
            assertThat(consoles.consume(others).block(TIMEOUT)).isNotNull();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(heardByOne).contains(vm).doesNotContain(other);
                assertThat(heardByTwo).contains(vm).doesNotContain(other);
            });
            assertThat(raw.exists("console:vm-tokens:" + vm)).isZero();
        }
        finally {
            one.dispose();
            two.dispose();
        }
    }

    @Test
    void shouldListLiveSessionsAndCountEveryNewOne() {
        // Given two sessions of one VM on two instances, the first refreshed once
        String vm = vmId();
        ConsoleSession a = session(vm, "proxy-a");
        ConsoleSession b = session(vm, "proxy-b");
        consoles.putSession(a, Duration.ofSeconds(30), true).block(TIMEOUT);
        consoles.putSession(b, Duration.ofSeconds(30), true).block(TIMEOUT);
        ConsoleSession refreshed = new ConsoleSession(a.id(), vm, "vnc", "alice", "10.0.0.1", "proxy-a",
                a.connectedAt(), a.lastActivity().plusSeconds(5), 1000, 2000, 0);
        consoles.putSession(refreshed, Duration.ofSeconds(30), false).block(TIMEOUT);

        // When the second ends
        consoles.removeSession(vm, b.id()).block(TIMEOUT);

        // Then the first is listed as last written, and two sessions were ever opened
        assertThat(consoles.sessions(vm).block(TIMEOUT)).containsExactly(refreshed);
        assertThat(consoles.totalSessions(vm).block(TIMEOUT)).isEqualTo(2);
        assertThat(consoles.totalSessions(vmId()).block(TIMEOUT)).isZero();
    }

    @Test
    void shouldDropASessionItsProxyStoppedRefreshing() {
        // Given a session written with a 300 ms TTL and never refreshed (its proxy died)
        String vm = vmId();
        ConsoleSession dead = session(vm, "proxy-dead");
        consoles.putSession(dead, Duration.ofMillis(300), true).block(TIMEOUT);

        // When its TTL passes
        await().atMost(TIMEOUT).until(() -> consoles.sessions(vm).block(TIMEOUT).isEmpty());

        // Then it no longer counts at the next admission, and its id leaves the VM's indexes
        SessionPlace place = reserve(session(vm, "proxy-a"), 1);
        assertThat(place).isEqualTo(new SessionPlace(0, List.of()));
        assertThat(raw.zrange("console:vm-live:" + vm, 0, -1)).doesNotContain(dead.id()).hasSize(1);
        assertThat(raw.zrange("console:vm-age:" + vm, 0, -1)).doesNotContain(dead.id()).hasSize(1);
        assertThat(consoles.refreshSession(dead, Duration.ofSeconds(30), false).block(TIMEOUT)).isFalse();
        assertThat(consoles.totalSessions(vm).block(TIMEOUT)).isEqualTo(1);
    }

    @Test
    void shouldNameOnlyTheOldestSessionsBeyondTheLimit() {
        // Given three sessions of a VM that connected one second apart, on two instances
        String vm = vmId();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<ConsoleSession> held = List.of(session(vm, "proxy-b", start.plusSeconds(2)),
                session(vm, "proxy-a", start), session(vm, "proxy-a", start.plusSeconds(1)));
        held.forEach(s -> consoles.putSession(s, Duration.ofSeconds(30), true).block(TIMEOUT));

        // When a new one takes a place under a limit of 2, then another under no limit
        SessionPlace limited = reserve(session(vm, "proxy-b", start.plusSeconds(3)), 2);
        SessionPlace unlimited = reserve(session(vm, "proxy-b", start.plusSeconds(4)), 0);

        // Then the first learns the 3 others and the 2 oldest it must take over; the second only the count
        assertThat(limited).isEqualTo(new SessionPlace(3, List.of(held.get(1).id(), held.get(2).id())));
        assertThat(unlimited).isEqualTo(new SessionPlace(4, List.of()));
        assertThat(consoles.sessions(vm).block(TIMEOUT)).containsExactly(held.get(1), held.get(2), held.get(0));
    }

    @Test
    void shouldRefreshOnlyASessionThatKeptItsPlace() {
        // Given a reserved place written once, and a session whose place was removed (taken over)
        String vm = vmId();
        ConsoleSession kept = session(vm, "proxy-a");
        ConsoleSession taken = session(vm, "proxy-b");
        reserve(kept, 0);
        assertThat(consoles.refreshSession(kept, Duration.ofSeconds(30), true).block(TIMEOUT)).isTrue();
        consoles.putSession(taken, Duration.ofSeconds(30), true).block(TIMEOUT);
        consoles.removeSession(vm, taken.id()).block(TIMEOUT);

        // When both are refreshed
        boolean keptRefreshed = consoles.refreshSession(kept, Duration.ofSeconds(30), false).block(TIMEOUT);
        boolean takenRefreshed = consoles.refreshSession(taken, Duration.ofSeconds(30), false).block(TIMEOUT);

        // Then only the one with a place is written; each new one counted once
        assertThat(keptRefreshed).isTrue();
        assertThat(takenRefreshed).isFalse();
        assertThat(consoles.sessions(vm).block(TIMEOUT)).containsExactly(kept);
        assertThat(consoles.totalSessions(vm).block(TIMEOUT)).isEqualTo(2);
    }

    @Test
    void shouldGiveEachOfTwoThousandConcurrentReservationsOfOneVmItsOwnExactCount() {
        // Given one VM and 2,000 new sessions on 4 instances (connections)
        String vm = vmId();
        int count = 2000;
        int limit = count - 10;

        // When they all take a place at once, asking for the sessions beyond a limit just under their number
        List<SessionPlace> places = Flux.range(0, count)
                .flatMap(i -> stores.get(i % INSTANCES).consoles().reserveSession(vm, "sess-" + i,
                        Instant.now(), Duration.ofSeconds(30), limit), 256)
                .collectList()
                .block(TIMEOUT);

        // Then each saw every place taken before its own and no other (0, 1, …, 1999 once each), and a reply names
        // only the sessions beyond the limit (none below it, 1 to 10 above), never the VM's sessions
        assertThat(places).extracting(SessionPlace::others)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, count).boxed().toList());
        assertThat(places).allSatisfy(p -> assertThat(p.oldest()).hasSize(Math.max(0, p.others() - limit + 1)));
        assertThat(reserve(session(vm, "proxy-a"), 0)).isEqualTo(new SessionPlace(count, List.of()));
    }

    @Test
    void shouldListOnlyInstancesWithARecentHeartbeat() {
        // Given an instance beating now and one whose last beat is two minutes old
        String alive = "proxy-" + UUID.randomUUID();
        String silent = "proxy-" + UUID.randomUUID();
        consoles.heartbeat(alive).block(TIMEOUT);
        raw.zadd("console:instances", System.currentTimeMillis() - 120_000, silent);

        // When
        List<String> live = consoles.liveInstances(Duration.ofMinutes(1)).block(TIMEOUT);

        // Then
        assertThat(live).contains(alive).doesNotContain(silent);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String vmId() {
        return "vm-" + UUID.randomUUID();
    }

    private static ConsoleGrant grant(String vmId, Duration life) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new ConsoleGrant(vmId, "alice", "proj-a", "vnc", "host-1", "127.0.0.1", 5901, "s3cret", now,
                now.plus(life));
    }

    private static ConsoleSession session(String vmId, String instance) {
        return session(vmId, instance, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static ConsoleSession session(String vmId, String instance, Instant connectedAt) {
        return new ConsoleSession("sess-" + UUID.randomUUID(), vmId, "vnc", "alice", "10.0.0.1", instance,
                connectedAt, connectedAt, 0, 0, 0);
    }

    private static SessionPlace reserve(ConsoleSession session, int limit) {
        return consoles.reserveSession(session.vmId(), session.id(), session.connectedAt(), Duration.ofSeconds(30),
                limit).block(TIMEOUT);
    }
}
