package io.vmplane.store.console;

import java.time.Duration;
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
 * <li>{@code console:session:<sessionId>} → the {@link ConsoleSession} as JSON, TTL = 3 × the instance heartbeat;
 *     {@code console:vm-sessions:<vmId>} → set of session ids; {@code console:vm-total:<vmId>} → sessions ever
 *     opened (INCR).</li>
 * <li>{@code console:instances} → sorted set: proxy instance id → last heartbeat (epoch ms). An instance missing for
 *     3 heartbeats is dead: its sessions are not listed (and their keys expire).</li>
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

    /** Writes (or refreshes) a live session with a TTL of {@code ttl}; adds it to the VM's set; counts it once. */
    Mono<Void> putSession(ConsoleSession session, Duration ttl, boolean isNew);

    /** Removes a session that ended. */
    Mono<Void> removeSession(String vmId, String sessionId);

    /** The VM's live sessions held by live instances (expired and dead instances' entries left out). */
    Mono<List<ConsoleSession>> sessions(String vmId);

    /** How many sessions the VM ever had. */
    Mono<Long> totalSessions(String vmId);

    /** Records a proxy instance's heartbeat now. */
    Mono<Void> heartbeat(String instanceId);

    /** Instances whose last heartbeat is younger than {@code maxAge}. */
    Mono<List<String>> liveInstances(Duration maxAge);
}
