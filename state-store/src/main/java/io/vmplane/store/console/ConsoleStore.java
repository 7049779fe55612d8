package io.vmplane.store.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Console tokens, sessions and proxy instances in Redis, shared by the gateway (issues tokens, reads stats, revokes)
 * and every console-proxy instance (consumes tokens, registers sessions). Results are emitted on Lettuce's I/O
 * threads: subscribers must not block.
 *
 * <h2>Redis layout (all keys under {@code console:})</h2>
 * <ul>
 * <li>{@code console:token:<sha256-hex of the token>} → the {@link ConsoleGrant} as JSON, TTL = the token's life.
 *     {@link #consume} is one {@code GETDEL}: of any number of concurrent callers on any number of instances, exactly
 *     one gets the grant.</li>
 * <li>{@code console:vm-tokens:<vmId>} → set of token hashes issued for the VM (TTL refreshed to the longest token
 *     life), so {@link #revoke} can delete them.</li>
 * <li>{@code console:session:<sessionId>} → the {@link ConsoleSession} as JSON, TTL = 3 × the instance heartbeat.
 *     {@code console:vm-live:<vmId>} → sorted set: session id → when its place expires (epoch ms of the Redis
 *     clock, the same TTL); {@code console:vm-age:<vmId>} → sorted set: session id → connected-at (epoch ms). A
 *     session's place is taken by {@link #reserveSession} and kept by every write; a session nobody refreshes (its
 *     instance died) loses it when the TTL passes. {@code console:vm-total:<vmId>} → sessions ever opened (INCR).</li>
 * <li>{@code console:instances} → sorted set: proxy instance id → last heartbeat (epoch ms). An instance missing for
 *     3 heartbeats is dead: its sessions' keys and places have expired.</li>
 * <li>{@code console:revoked} (pub/sub channel) → a VM id whose sessions every proxy closes at once.</li>
 * </ul>
 */
public interface ConsoleStore {

    /** Stores the grant under the token's hash with a TTL until {@code grant.expiresAt()}; the token is not kept. */
    Mono<Void> issue(String token, ConsoleGrant grant);

    /** Atomically takes the grant (GETDEL): present once, then gone. Empty when unknown, expired or used. */
    Mono<ConsoleGrant> consume(String token);

    /** Deletes the VM's unused tokens and publishes the VM id on {@code console:revoked}. */
    Mono<Void> revoke(String vmId);

    /** VM ids revoked from now on (a pub/sub subscription of its own connection; hot, never completes). */
    Flux<String> revocations();

    /**
     * Admission's one store call: takes a place for a new session of the VM (held for {@code ttl}, no JSON written
     * yet) and counts the VM's other live sessions, atomically, so concurrent admissions on any instances each count
     * the places taken before theirs. When {@code limit > 0} and the others are at least {@code limit}, also names the
     * oldest others a new session must take over to stay within it. The cost is independent of the VM's number of
     * sessions (O(log n) plus the ids returned and the expired places dropped on the way).
     */
    Mono<SessionPlace> reserveSession(String vmId, String sessionId, Instant connectedAt, Duration ttl, int limit);

    /**
     * Writes a live session with a TTL of {@code ttl}, giving it a place in the VM's indexes whether or not it had
     * one (a new session, or one whose place expired while the store was unreachable); counts it once when
     * {@code isNew}.
     */
    Mono<Void> putSession(ConsoleSession session, Duration ttl, boolean isNew);

    /**
     * Writes a session that still has its place (reserved, or written before) with a fresh TTL, counting it once when
     * {@code isNew}; emits false and writes nothing when it lost its place (removed: taken over or ended; or expired).
     */
    Mono<Boolean> refreshSession(ConsoleSession session, Duration ttl, boolean isNew);

    /** Removes a session (or a reserved place) that ended. */
    Mono<Void> removeSession(String vmId, String sessionId);

    /**
     * The VM's live sessions, oldest connection first (expired sessions and places without a session left out).
     * O(sessions of the VM): for statistics, not for admission.
     */
    Mono<List<ConsoleSession>> sessions(String vmId);

    /** How many sessions the VM ever had. */
    Mono<Long> totalSessions(String vmId);

    /** Records a proxy instance's heartbeat now. */
    Mono<Void> heartbeat(String instanceId);

    /** Instances whose last heartbeat is younger than {@code maxAge}. */
    Mono<List<String>> liveInstances(Duration maxAge);
}
