package io.vmplane.store.redis;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vmplane.schemas.messages.Json;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.Claim;
import io.vmplane.store.Usage;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The capacity ledger in Redis. Per host, under the hash tag {@code {<host>}}: a hash of claims (VM id → claim
 * JSON), a hash of running sums and a hash of PCI address → VM id; per VM, {@code vmplane:claim-of:<vm>} → host id.
 * A claim checks every limit and records everything in one Lua script; a release undoes exactly what the claim
 * recorded, in one Lua script that first verifies the claim is still the one read.
 */
public final class RedisCapacityLedger implements CapacityLedger {

    private static final LuaScript CLAIM = LuaScript.load("claim");
    private static final LuaScript RELEASE = LuaScript.load("release");
    private static final LuaScript USAGE = LuaScript.load("usage");

    /** Reads and attempts of a release racing with a concurrent claim/release of the same VM before giving up. */
    private static final int RELEASE_ATTEMPTS = 16;

    private final RedisAsyncCommands<String, String> redis;

    public RedisCapacityLedger(RedisAsyncCommands<String, String> redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Override
    public Mono<ClaimResult> claim(Claim claim, int vcpuLimit, long memoryLimitMib, Map<String, Long> poolLimits) {
        return Mono.defer(() -> {
            Objects.requireNonNull(claim.vmId(), "claim.vmId");
            Objects.requireNonNull(claim.hostId(), "claim.hostId");
            String json = Json.writeString(claim);
            String[] args = LedgerArgs.claim(claim, json, vcpuLimit, memoryLimitMib, poolLimits)
                    .toArray(String[]::new);
            String host = claim.hostId();
            String[] keys = {RedisKeys.claims(host), RedisKeys.usage(host), RedisKeys.pci(host),
                    RedisKeys.claimOf(claim.vmId())};
            return CLAIM.<String>run(redis, ScriptOutputType.VALUE, keys, args).map(ClaimResult::valueOf);
        });
    }

    @Override
    public Mono<Optional<Claim>> claimOf(String vmId) {
        return Mono.fromCompletionStage(() -> redis.get(RedisKeys.claimOf(vmId)))
                .flatMap(host -> Mono.fromCompletionStage(() -> redis.hget(RedisKeys.claims(host), vmId)))
                .map(json -> Optional.of(Json.read(json, Claim.class)))
                .defaultIfEmpty(Optional.empty());
    }

    @Override
    public Mono<Void> release(String vmId) {
        return release(vmId, 1);
    }

    private Mono<Void> release(String vmId, int attempt) {
        return releaseOnce(vmId).flatMap(done -> {
            if (done) {
                return Mono.empty();
            }
            if (attempt >= RELEASE_ATTEMPTS) {
                return Mono.error(new IllegalStateException(
                        "the claim of " + vmId + " kept changing during " + attempt + " release attempts"));
            }
            return release(vmId, attempt + 1);
        });
    }

    /** Emits true when the VM holds no claim any more, false when its claim changed between the read and the undo. */
    private Mono<Boolean> releaseOnce(String vmId) {
        return Mono.fromCompletionStage(() -> redis.get(RedisKeys.claimOf(vmId)))
                .flatMap(host -> Mono.fromCompletionStage(() -> redis.hget(RedisKeys.claims(host), vmId))
                        .map(Optional::of)
                        .defaultIfEmpty(Optional.empty())
                        .flatMap(json -> {
                            Claim claim = json.map(j -> Json.read(j, Claim.class)).orElse(null);
                            String[] keys = {RedisKeys.claimOf(vmId), RedisKeys.claims(host), RedisKeys.usage(host),
                                    RedisKeys.pci(host)};
                            String[] args = LedgerArgs.release(vmId, host, claim, json.orElse(null))
                                    .toArray(String[]::new);
                            return RELEASE.<Long>run(redis, ScriptOutputType.INTEGER, keys, args);
                        }))
                .map(done -> done == 1L)
                .defaultIfEmpty(true);
    }

    @Override
    public Mono<Usage> usage(String hostId) {
        String[] keys = {RedisKeys.usage(hostId), RedisKeys.pci(hostId)};
        return USAGE.<List<Object>>run(redis, ScriptOutputType.MULTI, keys)
                .map(reply -> LedgerArgs.usage(VmHashes.pairs((List<?>) reply.get(0)),
                        ((List<?>) reply.get(1)).stream().map(String::valueOf).toList()));
    }

    @Override
    public Flux<Claim> claims(String hostId) {
        return Mono.fromCompletionStage(() -> redis.hvals(RedisKeys.claims(hostId)))
                .flatMapIterable(values -> values)
                .map(json -> Json.read(json, Claim.class));
    }
}
