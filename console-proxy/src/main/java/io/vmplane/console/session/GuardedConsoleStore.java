package io.vmplane.console.session;

import java.time.Duration;
import java.time.Instant;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleSession;
import io.vmplane.store.console.ConsoleStore;
import io.vmplane.store.console.SessionPlace;
import reactor.core.publisher.Mono;

/**
 * The proxy's calls to the console store, each behind one time limiter and one circuit breaker: while Redis is slow
 * or unreachable the calls fail fast (the breaker is open) and the proxy refuses new sessions with
 * {@code CONSOLE_UNAVAILABLE}; sessions already open go on.
 */
public final class GuardedConsoleStore {

    private final ConsoleStore store;
    private final CircuitBreaker breaker;
    private final TimeLimiter limiter;

    public GuardedConsoleStore(ConsoleStore store, Duration timeout, Duration openFor) {
        this.store = store;
        this.breaker = CircuitBreaker.of("console-store", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(openFor).permittedNumberOfCallsInHalfOpenState(2).build());
        this.limiter = TimeLimiter.of("console-store", TimeLimiterConfig.custom().timeoutDuration(timeout)
                .cancelRunningFuture(true).build());
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public ConsoleStore raw() {
        return store;
    }

    public Mono<ConsoleGrant> consume(String token) {
        return guard(store.consume(token));
    }

    public Mono<SessionPlace> reserveSession(String vmId, String sessionId, Instant connectedAt, Duration ttl,
                                             int limit) {
        return guard(store.reserveSession(vmId, sessionId, connectedAt, ttl, limit));
    }

    public Mono<Void> putSession(ConsoleSession session, Duration ttl, boolean isNew) {
        return guard(store.putSession(session, ttl, isNew));
    }

    public Mono<Boolean> refreshSession(ConsoleSession session, Duration ttl, boolean isNew) {
        return guard(store.refreshSession(session, ttl, isNew));
    }

    public Mono<Void> removeSession(String vmId, String sessionId) {
        return guard(store.removeSession(vmId, sessionId));
    }

    public Mono<Void> heartbeat(String instanceId) {
        return guard(store.heartbeat(instanceId));
    }

    private <T> Mono<T> guard(Mono<T> call) {
        return call.transformDeferred(TimeLimiterOperator.of(limiter))
                .transformDeferred(CircuitBreakerOperator.of(breaker));
    }
}
