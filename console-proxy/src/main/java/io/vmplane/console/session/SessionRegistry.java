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
import io.vmplane.store.console.ConsoleSession;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The sessions this instance holds, and their mirror in the store: admitted against the limits ({@link Admission}),
 * written with {@code putSession} on open and every heartbeat, removed on close. Every heartbeat it also records the
 * instance's heartbeat and closes local sessions another instance took over (their store entry was removed while this
 * instance had been writing it). Revocations close a VM's sessions at once.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    private final GuardedConsoleStore store;
    private final Admission.Limits limits;
    private final String instanceId;
    private final Duration heartbeat;
    private final Clock clock;
    private final Map<String, LiveSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, LiveSession> spiceByToken = new ConcurrentHashMap<>();
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
        return store.sessions(grant.vmId()).flatMap(vmSessions -> decideAndReserve(grant, tokenHash, clientAddress,
                vmSessions));
    }

    // synchronized: two admissions on this instance never both take the VM's last place
    private synchronized Mono<LiveSession> decideAndReserve(ConsoleGrant grant, String tokenHash,
                                                            String clientAddress, List<ConsoleSession> vmSessions) {
        {
            long user = sessions.values().stream().filter(s -> s.user().equals(grant.user())).count();
            List<ConsoleSession> all = new ArrayList<>(vmSessions);
            for (LiveSession local : sessions.values()) {
                if (local.vmId().equals(grant.vmId()) && all.stream().noneMatch(s -> s.id().equals(local.id()))) {
                    all.add(local.snapshot());
                }
            }
            Admission.Decision decision = Admission.decide(limits, sessions.size(), (int) user, all);
            if (decision instanceof Admission.Busy busy) {
                return Mono.error(new AdmissionException(busy.message()));
            }
            Mono<Void> takeOver = Mono.empty();
            if (decision instanceof Admission.TakeOver over) {
                takeOver = Flux.fromIterable(over.older()).concatMap(this::takeOver).then();
            }
            LiveSession session = new LiveSession("cs-" + UUID.randomUUID(), grant, tokenHash, clientAddress,
                    instanceId, clock.instant());
            sessions.put(session.id(), session);
            if (session.isSpice()) {
                spiceByToken.put(tokenHash, session);
            }
            return takeOver.then(store.putSession(session.snapshot(), sessionTtl(), true))
                    .doOnSuccess(v -> session.stored(clock.millis()))
                    .doOnError(e -> forget(session))
                    .thenReturn(session);
        }
    }

    private Mono<Void> takeOver(ConsoleSession older) {
        LiveSession local = sessions.get(older.id());
        if (local != null) {
            local.close(CloseReason.TAKEN_OVER);
        }
        // another instance notices the removal at its next heartbeat and closes its session
        return store.removeSession(older.vmId(), older.id());
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
        return sessions.remove(session.id(), session);
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
        Map<String, List<LiveSession>> byVm = new ConcurrentHashMap<>();
        sessions.values().forEach(s -> byVm.computeIfAbsent(s.vmId(), k -> new ArrayList<>()).add(s));
        return beat.thenMany(Flux.fromIterable(byVm.entrySet()))
                .concatMap(entry -> store.sessions(entry.getKey())
                        .flatMap(listed -> Flux.fromIterable(entry.getValue())
                                .concatMap(session -> refresh(session, listed)).then())
                        .onErrorResume(e -> Mono.empty()))
                .then();
    }

    private Mono<Void> refresh(LiveSession session, List<ConsoleSession> listed) {
        if (!session.isOpen()) {
            return Mono.empty();
        }
        long now = clock.millis();
        boolean present = listed.stream().anyMatch(s -> s.id().equals(session.id()));
        if (!present && now - session.lastStoredAt() < sessionTtl().toMillis()) {
            // written lately yet gone: a newer session of the VM took it over
            session.close(CloseReason.TAKEN_OVER);
            return Mono.empty();
        }
        return store.putSession(session.snapshot(), sessionTtl(), false)
                .doOnSuccess(v -> session.stored(now))
                .onErrorResume(e -> Mono.empty());
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
