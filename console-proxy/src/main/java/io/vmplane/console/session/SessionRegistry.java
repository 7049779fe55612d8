package io.vmplane.console.session;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.console.relay.CloseReason;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.SessionPlace;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The sessions this instance holds, and their mirror in the store: admitted against the limits ({@link Admission}),
 * written on open and refreshed every heartbeat, removed on close. Every heartbeat it also records the instance's
 * heartbeat and closes local sessions another instance took over (their place in the store was removed while this
 * instance had been writing it). Revocations close a VM's sessions at once.
 *
 * <p>An admission costs the same however many sessions the VM or the instance has: one store call takes the new
 * session's place and counts the VM's others ({@code reserveSession}), the instance and user counts are local, one
 * more call writes the session. Only a takeover adds a removal per session taken over.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    /** Session refreshes in flight at once per heartbeat (each one store call; Lettuce pipelines them). */
    private static final int REFRESH_CONCURRENCY = 64;

    private final GuardedConsoleStore store;
    private final Admission.Limits limits;
    private final String instanceId;
    private final Duration heartbeat;
    private final Clock clock;
    private final Map<String, LiveSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, LiveSession> spiceByToken = new ConcurrentHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final List<Disposable> tasks = new ArrayList<>();

    public SessionRegistry(GuardedConsoleStore store, Admission.Limits limits, String instanceId, Duration heartbeat,
                           Clock clock) {
        this.store = store;
        this.limits = limits;
        this.instanceId = instanceId;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    /** Starts the heartbeat and listens to revocations. */
    public SessionRegistry start() {
        tasks.add(Flux.interval(Duration.ZERO, heartbeat).onBackpressureDrop()
                .concatMap(tick -> refresh().onErrorResume(e -> Mono.empty()))
                .subscribe());
        tasks.add(Flux.defer(() -> store.raw().revocations())
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(this::revoked));
        return this;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The TTL of a session's store entry: three heartbeats. */
    public Duration sessionTtl() {
        return heartbeat.multipliedBy(3);
    }

    public int active() {
        return sessions.size();
    }

    public Optional<LiveSession> session(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** The live SPICE session the token (by its hash) opened on this instance. */
    public Optional<LiveSession> spiceSessionOfToken(String tokenHash) {
        return Optional.ofNullable(spiceByToken.get(tokenHash)).filter(LiveSession::isOpen);
    }

    /**
     * Admits a new session for the grant, or fails with {@link AdmissionException} ({@code CONSOLE_BUSY}) or a store
     * error (the caller answers {@code CONSOLE_UNAVAILABLE}). On success the session is in the store.
     */
    public Mono<LiveSession> admit(ConsoleGrant grant, String tokenHash, String clientAddress) {
        Optional<Admission.Busy> busy = Admission.refuseLocally(limits, sessions.size(), userSessions(grant.user()));
        if (busy.isPresent()) {
            return Mono.error(new AdmissionException(busy.get().message()));
        }
        LiveSession session = new LiveSession("cs-" + UUID.randomUUID(), grant, tokenHash, clientAddress,
                instanceId, clock.instant());
        return store.reserveSession(grant.vmId(), session.id(), session.connectedAt(), sessionTtl(),
                        limits.takeOverLimit())
                .flatMap(place -> act(session, decideAndHold(session, place)))
                .onErrorResume(e -> {
                    forget(session);
                    return release(session).then(Mono.error(e));
                });
    }

    // synchronized: the local counts and the local hold change together (the VM's count is exact in the store:
    // a concurrent admission anywhere has its place counted in ours or ours in its)
    private synchronized Admission.Decision decideAndHold(LiveSession session, SessionPlace place) {
        Admission.Decision decision = Admission.decide(limits, sessions.size(), userSessions(session.user()),
                place.others(), place.oldest());
        if (!(decision instanceof Admission.Busy)) {
            sessions.put(session.id(), session);
            perUser.merge(session.user(), 1, Integer::sum);
            if (session.isSpice()) {
                spiceByToken.put(session.tokenHash(), session);
            }
        }
        return decision;
    }

    private Mono<LiveSession> act(LiveSession session, Admission.Decision decision) {
        if (decision instanceof Admission.Busy busy) {
            return Mono.error(new AdmissionException(busy.message()));
        }
        Mono<Void> takeOver = Mono.empty();
        if (decision instanceof Admission.TakeOver over) {
            takeOver = Flux.fromIterable(over.older()).concatMap(older -> takeOver(session.vmId(), older)).then();
        }
        return takeOver.then(store.refreshSession(session.snapshot(), sessionTtl(), true))
                .flatMap(placed -> placed ? Mono.just(session)
                        : Mono.error(new AdmissionException("a newer session of the VM took this one over")))
                .doOnNext(s -> s.stored(clock.millis()));
    }

    private Mono<Void> takeOver(String vmId, String olderId) {
        LiveSession local = sessions.get(olderId);
        if (local != null) {
            local.close(CloseReason.TAKEN_OVER);
        }
        // another instance notices the removal at its next heartbeat and closes its session
        return store.removeSession(vmId, olderId);
    }

    /** Gives a refused or failed admission's place back (best effort: it expires with the session TTL anyway). */
    private Mono<Void> release(LiveSession session) {
        return store.removeSession(session.vmId(), session.id()).onErrorResume(e -> Mono.empty());
    }

    private int userSessions(String user) {
        return perUser.getOrDefault(user, 0);
    }

    /** The session ended (its main channel closed): closes its other channels and removes it from the store. */
    public void ended(LiveSession session, CloseReason reason) {
        session.close(reason);
        if (forget(session)) {
            store.removeSession(session.vmId(), session.id())
                    .subscribe(null, e -> LOG.warn("console session {} of {} not removed from the store: {}",
                            session.id(), session.vmId(), e.toString()));
        }
    }

    private boolean forget(LiveSession session) {
        spiceByToken.remove(session.tokenHash(), session);
        if (!sessions.remove(session.id(), session)) {
            return false;
        }
        perUser.computeIfPresent(session.user(), (user, held) -> held == 1 ? null : held - 1);
        return true;
    }

    /** Closes the VM's sessions on this instance (the VM was stopped or deleted). */
    public void revoked(String vmId) {
        sessions.values().stream().filter(s -> s.vmId().equals(vmId)).forEach(s -> s.close(CloseReason.REVOKED));
    }

    /** Closes every session (the instance stops). */
    public void closeAll(CloseReason reason) {
        sessions.values().forEach(s -> s.close(reason));
    }

    Mono<Void> refresh() {
        Mono<Void> beat = store.heartbeat(instanceId).onErrorResume(e -> Mono.empty());
        return beat.thenMany(Flux.fromIterable(List.copyOf(sessions.values())))
                .flatMap(this::refresh, REFRESH_CONCURRENCY)
                .then();
    }

    private Mono<Void> refresh(LiveSession session) {
        long storedAt = session.lastStoredAt();
        if (!session.isOpen() || storedAt == 0) {
            // closed, or its admission has not written it yet
            return Mono.empty();
        }
        long now = clock.millis();
        return store.refreshSession(session.snapshot(), sessionTtl(), false).flatMap(placed -> {
            if (placed) {
                return Mono.just(true);
            }
            if (now - storedAt < sessionTtl().toMillis()) {
                // written lately yet gone: a newer session of the VM took it over
                session.close(CloseReason.TAKEN_OVER);
                return Mono.empty();
            }
            // its place expired while the store was unreachable: it is still live, so it takes one again
            return store.putSession(session.snapshot(), sessionTtl(), false).thenReturn(true);
        }).doOnNext(written -> session.stored(now)).onErrorResume(e -> Mono.empty()).then();
    }

    @Override
    public void close() {
        tasks.forEach(Disposable::dispose);
        closeAll(CloseReason.PROXY_SHUTDOWN);
    }

    /** A limit refuses the session ({@code CONSOLE_BUSY}). */
    public static final class AdmissionException extends RuntimeException {

        public AdmissionException(String message) {
            super(message, null, false, false);
        }
    }
}
