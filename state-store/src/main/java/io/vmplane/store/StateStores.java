package io.vmplane.store;

import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.store.console.ConsoleStore;
import io.vmplane.store.redis.RedisCapacityLedger;
import io.vmplane.store.redis.RedisConsoleStore;
import io.vmplane.store.redis.RedisHostRegistry;
import io.vmplane.store.redis.RedisIdempotencyStore;
import io.vmplane.store.redis.RedisRedriveLog;
import io.vmplane.store.redis.RedisVmStore;

/**
 * The stores over one Lettuce client and one connection (Lettuce multiplexes concurrent commands over it), plus a
 * pub/sub connection for console revocations, opened on first use.
 * Create one per service at start-up and {@link #close()} it at shutdown. The stores' results are emitted on
 * Lettuce's I/O threads: subscribers must not block.
 */
public final class StateStores implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final VmStore vms;
    private final IdempotencyStore idempotency;
    private final HostRegistry hosts;
    private final CapacityLedger ledger;
    private final RedriveLog redrives;
    private final RedisConsoleStore consoles;

    private StateStores(RedisClient client, StatefulRedisConnection<String, String> connection, Options options) {
        this.client = client;
        this.connection = connection;
        RedisAsyncCommands<String, String> redis = connection.async();
        this.vms = new RedisVmStore(redis, options.operationRetention());
        this.idempotency = new RedisIdempotencyStore(redis);
        this.hosts = new RedisHostRegistry(redis);
        this.ledger = new RedisCapacityLedger(redis);
        this.redrives = new RedisRedriveLog(redis);
        this.consoles = new RedisConsoleStore(redis, client::connectPubSub, connection.getTimeout());
    }

    /**
     * Connects to Redis (blocking until connected or failed).
     *
     * @param redisUri e.g. {@code redis://127.0.0.1:6390}
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    /** How long a command may take unless the URI says otherwise ({@code ?timeout=2s}). */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);

    public static StateStores connect(String redisUri) {
        return connect(redisUri, Options.DEFAULT);
    }

    /**
     * Connects to Redis (blocking until connected or failed) with the given options.
     *
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    public static StateStores connect(String redisUri, Options options) {
        Objects.requireNonNull(options, "options");
        RedisURI uri = RedisURI.create(redisUri);
        if (!redisUri.contains("timeout=")) {
            // Lettuce waits 60 s by default: far longer than any caller of ours can wait for an answer.
            uri.setTimeout(DEFAULT_COMMAND_TIMEOUT);
        }
        RedisClient client = RedisClient.create(uri);
        // While the connection is down, fail commands at once (callers answer 503 / retry) instead of queueing them.
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        try {
            return new StateStores(client, client.connect(), options);
        }
        catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    public VmStore vms() {
        return vms;
    }

    public IdempotencyStore idempotency() {
        return idempotency;
    }

    public HostRegistry hosts() {
        return hosts;
    }

    public CapacityLedger ledger() {
        return ledger;
    }

    public RedriveLog redrives() {
        return redrives;
    }

    /** Console tokens, sessions and proxy instances; its revocations use a pub/sub connection of their own. */
    public ConsoleStore consoles() {
        return consoles;
    }

    /**
     * How the stores behave.
     *
     * @param operationRetention how long an ended operation stays readable (its hash's time to live)
     */
    public record Options(Duration operationRetention) {

        public static final Options DEFAULT = new Options(Duration.ofDays(7));

        public Options {
            if (operationRetention == null || operationRetention.isNegative() || operationRetention.isZero()) {
                throw new IllegalArgumentException("operationRetention must be positive: " + operationRetention);
            }
        }
    }

    /** Closes the connection and shuts the client's threads down. */
    @Override
    public void close() {
        try {
            consoles.close();
            connection.close();
        }
        finally {
            client.shutdown();
        }
    }
}
