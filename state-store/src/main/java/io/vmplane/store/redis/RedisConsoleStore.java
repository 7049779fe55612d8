package io.vmplane.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vmplane.schemas.messages.Json;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleSession;
import io.vmplane.store.console.ConsoleStore;
import io.vmplane.store.console.SessionPlace;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@link ConsoleStore} in Redis, with the layout its Javadoc gives. A token is hashed (SHA-256, hex) before any
 * command is built, so neither Redis nor a Lettuce debug log ever sees it. Revocations arrive on a pub/sub connection
 * of their own, opened by the first {@link #revocations()} call and closed by {@link #close()}.
 */
public final class RedisConsoleStore implements ConsoleStore, AutoCloseable {

    static final String PREFIX = "console:";
    static final String TOKEN_PREFIX = PREFIX + "token:";
    static final String INSTANCES = PREFIX + "instances";
    static final String REVOKED_CHANNEL = PREFIX + "revoked";
    private static final Duration FORGOTTEN_INSTANCE = Duration.ofDays(1);

    private static final LuaScript PUT = LuaScript.load("console-put");
    private static final LuaScript RESERVE_SESSION = LuaScript.load("console-session-reserve");
    private static final LuaScript PUT_SESSION = LuaScript.load("console-session-put");
    private static final LuaScript REVOKE = LuaScript.load("console-revoke");

    private final RedisAsyncCommands<String, String> redis;
    private final Supplier<StatefulRedisPubSubConnection<String, String>> pubSubConnector;
    private final Duration timeout;
    private final Sinks.Many<String> revoked = Sinks.many().multicast().directBestEffort();
    private StatefulRedisPubSubConnection<String, String> pubSub;

    /**
     * @param redis           the shared command connection
     * @param pubSubConnector opens the pub/sub connection (blocking) on the first {@link #revocations()} call
     * @param timeout         how long that first call waits for {@code SUBSCRIBE} to be confirmed
     */
    public RedisConsoleStore(RedisAsyncCommands<String, String> redis,
                             Supplier<StatefulRedisPubSubConnection<String, String>> pubSubConnector,
                             Duration timeout) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.pubSubConnector = Objects.requireNonNull(pubSubConnector, "pubSubConnector");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Mono<Void> issue(String token, ConsoleGrant grant) {
        return Mono.defer(() -> doIssue(token, grant));
    }

    private Mono<Void> doIssue(String token, ConsoleGrant grant) {
        Objects.requireNonNull(grant, "grant");
        String hash = hash(token);
        long ttlMs = Duration.between(Instant.now(), grant.expiresAt()).toMillis();
        if (ttlMs <= 0) {
            return Mono.error(new IllegalArgumentException("the grant has already expired: " + grant.expiresAt()));
        }
        String[] keys = {TOKEN_PREFIX + hash, vmTokens(grant.vmId())};
        return PUT.<Long>run(redis, ScriptOutputType.INTEGER, keys, Json.writeString(grant), Long.toString(ttlMs),
                hash).then();
    }

    @Override
    public Mono<ConsoleGrant> consume(String token) {
        return Mono.defer(() -> {
            String key = TOKEN_PREFIX + hash(token);
            return Mono.fromCompletionStage(() -> redis.getdel(key));
        }).map(json -> Json.read(json, ConsoleGrant.class));
    }

    @Override
    public Mono<Void> revoke(String vmId) {
        Objects.requireNonNull(vmId, "vmId");
        return REVOKE.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {vmTokens(vmId)}, TOKEN_PREFIX,
                REVOKED_CHANNEL, vmId).then();
    }

    /**
     * The first call opens the pub/sub connection and waits (blocking, up to the command timeout) until
     * {@code SUBSCRIBE} is confirmed: call it at start-up, off any event loop. Lettuce re-subscribes after a
     * reconnect; revocations published while the connection was down are lost (the sessions' own checks remain).
     *
     * @throws io.lettuce.core.RedisException when the subscription cannot be made (a later call tries again)
     */
    @Override
    public synchronized Flux<String> revocations() {
        if (pubSub == null) {
            StatefulRedisPubSubConnection<String, String> connection = pubSubConnector.get();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    // One I/O thread per connection delivers messages serially: tryEmitNext is not contended.
                    revoked.tryEmitNext(message);
                }
            });
            try {
                connection.async().subscribe(REVOKED_CHANNEL).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (Exception e) {
                connection.close();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new io.lettuce.core.RedisException("cannot subscribe to " + REVOKED_CHANNEL, e);
            }
            pubSub = connection;
        }
        return revoked.asFlux();
    }

    @Override
    public Mono<SessionPlace> reserveSession(String vmId, String sessionId, Instant connectedAt, Duration ttl,
                                             int limit) {
        Objects.requireNonNull(sessionId, "sessionId");
        String[] keys = {vmLive(vmId), vmAge(vmId)};
        String since = Long.toString(connectedAt.toEpochMilli());
        return Mono.defer(() -> RESERVE_SESSION.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, sessionId,
                        since, ttlMillis(ttl), Integer.toString(Math.max(limit, 0))))
                .map(reply -> new SessionPlace(((Long) reply.get(0)).intValue(),
                        reply.subList(1, reply.size()).stream().map(String::valueOf).toList()));
    }

    @Override
    public Mono<Void> putSession(ConsoleSession session, Duration ttl, boolean isNew) {
        return writeSession(session, ttl, isNew, false).then();
    }

    @Override
    public Mono<Boolean> refreshSession(ConsoleSession session, Duration ttl, boolean isNew) {
        return writeSession(session, ttl, isNew, true);
    }

    private Mono<Boolean> writeSession(ConsoleSession session, Duration ttl, boolean isNew, boolean onlyIfPlaced) {
        Objects.requireNonNull(session, "session");
        String vm = session.vmId();
        String[] keys = {session(session.id()), vmLive(vm), vmAge(vm), vmTotal(vm)};
        return Mono.defer(() -> PUT_SESSION.<Long>run(redis, ScriptOutputType.INTEGER, keys, Json.writeString(session),
                        ttlMillis(ttl), session.id(), Long.toString(session.connectedAt().toEpochMilli()),
                        isNew ? "1" : "0", onlyIfPlaced ? "1" : "0"))
                .map(written -> written == 1L);
    }

    /** Its place first: a refresh racing with the removal then writes nothing. */
    @Override
    public Mono<Void> removeSession(String vmId, String sessionId) {
        // one connection runs the three in this order: sent together, they cost one round trip
        return Mono.when(Mono.fromCompletionStage(() -> redis.zrem(vmLive(vmId), sessionId)),
                Mono.fromCompletionStage(() -> redis.zrem(vmAge(vmId), sessionId)),
                Mono.fromCompletionStage(() -> redis.del(session(sessionId))));
    }

    /**
     * Reads the ids oldest first and then their JSON: a session's key lives 3 heartbeats unless its proxy refreshes
     * it, so a dead instance's sessions drop out within that time (their places go at the VM's next admission).
     */
    @Override
    public Mono<List<ConsoleSession>> sessions(String vmId) {
        return Mono.fromCompletionStage(() -> redis.zrange(vmAge(vmId), 0, -1)).flatMap(ids -> {
            if (ids.isEmpty()) {
                return Mono.just(List.<ConsoleSession>of());
            }
            String[] keys = ids.stream().map(RedisConsoleStore::session).toArray(String[]::new);
            return Mono.fromCompletionStage(() -> redis.mget(keys)).map(values -> values.stream()
                    .filter(KeyValue::hasValue)
                    .map(value -> Json.read(value.getValue(), ConsoleSession.class))
                    .toList());
        });
    }

    @Override
    public Mono<Long> totalSessions(String vmId) {
        return Mono.fromCompletionStage(() -> redis.get(vmTotal(vmId))).map(Long::parseLong).defaultIfEmpty(0L);
    }

    /** Also forgets instances silent for a day, so the sorted set stays small. */
    @Override
    public Mono<Void> heartbeat(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        long now = System.currentTimeMillis();
        return Mono.fromCompletionStage(() -> redis.zadd(INSTANCES, now, instanceId))
                .then(Mono.fromCompletionStage(() -> redis.zremrangebyscore(INSTANCES,
                        io.lettuce.core.Range.create(0, now - FORGOTTEN_INSTANCE.toMillis()))))
                .then();
    }

    @Override
    public Mono<List<String>> liveInstances(Duration maxAge) {
        long since = System.currentTimeMillis() - maxAge.toMillis();
        return Mono.fromCompletionStage(() -> redis.zrangebyscore(INSTANCES,
                io.lettuce.core.Range.create((double) since, Double.POSITIVE_INFINITY)))
                .map(List::copyOf);
    }

    /** Closes the pub/sub connection, if one was opened, and completes the revocation stream. */
    @Override
    public synchronized void close() {
        if (pubSub != null) {
            pubSub.close();
            pubSub = null;
        }
        revoked.tryEmitComplete();
    }

    /** SHA-256 of the token's UTF-8 bytes, lower-case hex: the only form of a token Redis ever holds. */
    public static String hash(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("a console token is required");
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return java.util.HexFormat.of().formatHex(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String ttlMillis(Duration ttl) {
        if (ttl == null || ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        return Long.toString(ttl.toMillis());
    }

    static String vmTokens(String vmId) {
        return PREFIX + "vm-tokens:" + vmId;
    }

    static String session(String sessionId) {
        return PREFIX + "session:" + sessionId;
    }

    static String vmLive(String vmId) {
        return PREFIX + "vm-live:" + vmId;
    }

    static String vmAge(String vmId) {
        return PREFIX + "vm-age:" + vmId;
    }

    static String vmTotal(String vmId) {
        return PREFIX + "vm-total:" + vmId;
    }
}
