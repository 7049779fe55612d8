package io.vmplane.gateway.console;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.StoreErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The console endpoints' protections: every Redis call they make runs behind one time limiter and one circuit
 * breaker, and fails closed as {@code 503 CONSOLE_UNAVAILABLE} (no token is issued while Redis is slow or gone);
 * token issue is rate limited per user.
 */
@Component
public class ConsoleGuard {

    private static final Logger log = LoggerFactory.getLogger(ConsoleGuard.class);

    private final CircuitBreaker breaker;
    private final TimeLimiter limiter;
    private final RateLimiterRegistry rates;

    public ConsoleGuard(ConsoleGatewayProperties properties) {
        this.breaker = CircuitBreaker.of("console-store", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .ignoreExceptions(ApiException.class)
                .waitDurationInOpenState(properties.consoleBreakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(2).build());
        this.limiter = TimeLimiter.of("console-store", TimeLimiterConfig.custom()
                .timeoutDuration(properties.consoleStoreTimeout()).cancelRunningFuture(true).build());
        // Users are authenticated and few: one limiter each, kept for the life of the gateway.
        this.rates = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(properties.consoleTokensPerMinute())
                .limitRefreshPeriod(Duration.ofMinutes(1))
                .timeoutDuration(Duration.ZERO).build());
    }

    /** The call behind the time limiter and the breaker; any failure but an {@link ApiException} becomes a 503. */
    public <T> Mono<T> call(Mono<T> call) {
        return call.transformDeferred(TimeLimiterOperator.of(limiter))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(e -> !(e instanceof ApiException), e -> {
                    log.warn("Console store call failed: {}", e.getClass().getSimpleName());
                    return new ApiException(ConsoleProblems.unavailable(
                            "The console service cannot reach its store; retry later"), StoreErrors.RETRY_AFTER, e);
                });
    }

    /** Takes one token-issue permit of the user, or fails with {@code 429 RATE_LIMITED}. */
    public Mono<Void> issuePermit(String user) {
        RateLimiter rate = rates.rateLimiter(user);
        if (rate.acquirePermission()) {
            return Mono.empty();
        }
        return Mono.error(new ApiException(ConsoleProblems.rateLimited(), Duration.ofSeconds(
                Math.max(1, rate.getRateLimiterConfig().getLimitRefreshPeriod().toSeconds())), null));
    }

    CircuitBreaker breaker() {
        return breaker;
    }
}
