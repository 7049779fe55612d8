package io.vmplane.agent.hypervisor;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

/**
 * Runs libvirt calls on the agent's own bounded executor (one thread, {@code libvirt}, and a queue of
 * {@value #QUEUE} calls: libvirt's last error is per thread, and the test driver's state per connection), each call
 * guarded by Resilience4j: {@code Retry(CircuitBreaker(TimeLimiter(call on the libvirt thread)))}.
 * <ul>
 *   <li>retry: only {@link LibvirtErrors.Kind#CONNECTION} and {@link LibvirtErrors.Kind#BUSY} errors, exponential
 *       back-off; never a timed-out call (the thread may still be in it) nor one the breaker refused;</li>
 *   <li>time limiter: each attempt gets the call timeout, queueing included; a call still queued when it runs out
 *       is cancelled and never runs;</li>
 *   <li>circuit breaker: counts connection errors and timeouts over the last {@value #WINDOW} attempts; at 50 %
 *       (from {@value #MINIMUM_CALLS} attempts) it opens and refuses every call at once for the open duration,
 *       then lets one call through (half open) whose outcome closes or reopens it. libvirt's definite answers
 *       (no such domain, invalid XML) count as successes: libvirtd works.</li>
 * </ul>
 * Failures come out as {@link HypervisorUnavailableException} (breaker open, timeout, connection errors after the
 * retries, queue full) or {@link HypervisorException} (libvirt's answer). Thread-safe.
 */
final class LibvirtExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LibvirtExecutor.class);
    static final int QUEUE = 64;
    static final int WINDOW = 6;
    static final int MINIMUM_CALLS = 4;

    private final String target;
    private final LibvirtResilience settings;
    private final ThreadPoolExecutor thread;
    private final Retry retry;
    private final TimeLimiter timeLimiter;
    private final CircuitBreaker breaker;

    /**
     * @param target  what the calls talk to (a libvirt URI), for messages and the Resilience4j instance names
     */
    LibvirtExecutor(String target, LibvirtResilience settings) {
        this.target = target;
        this.settings = settings;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "libvirt");
            t.setDaemon(true);
            return t;
        });
        this.retry = Retry.of("libvirt", RetryConfig.custom()
                .maxAttempts(settings.retryAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.retryBackoff(), 2.0))
                .retryOnException(e -> LibvirtErrors.classify(e) != LibvirtErrors.Kind.PERMANENT)
                .build());
        this.timeLimiter = TimeLimiter.of("libvirt", TimeLimiterConfig.custom()
                .timeoutDuration(settings.callTimeout())
                .cancelRunningFuture(true)
                .build());
        this.breaker = CircuitBreaker.of("libvirt", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(50)
                .waitDurationInOpenState(settings.breakerOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(e -> e instanceof TimeoutException
                        || LibvirtErrors.classify(e) == LibvirtErrors.Kind.CONNECTION)
                .build());
        retry.getEventPublisher().onRetry(e -> log.debug("libvirt call to {} failed ({}), attempt {} in {} ms",
                target, message(e.getLastThrowable()), e.getNumberOfRetryAttempts() + 1,
                e.getWaitInterval().toMillis()));
        breaker.getEventPublisher().onStateTransition(e -> {
            switch (e.getStateTransition()) {
                case CLOSED_TO_OPEN -> log.warn("libvirt at {} unreachable: circuit breaker open, calls refused "
                        + "for {} ms", target, settings.breakerOpenDuration().toMillis());
                case HALF_OPEN_TO_CLOSED -> log.info("libvirt at {} answers again: circuit breaker closed", target);
                default -> log.debug("libvirt circuit breaker of {}: {}", target, e.getStateTransition());
            }
        });
    }

    /** Runs the task on the libvirt thread, guarded; blocks until it is done, refused or out of time. */
    <T> T call(Callable<T> task) {
        Callable<T> limited = timeLimiter.decorateFutureSupplier(() -> thread.submit(task));
        try {
            return Retry.decorateCallable(retry, CircuitBreaker.decorateCallable(breaker, limited)).call();
        }
        catch (CallNotPermittedException e) {
            throw new HypervisorUnavailableException("libvirt at " + target + " is unavailable (circuit breaker "
                    + "open after connection failures)", e);
        }
        catch (TimeoutException e) {
            throw new HypervisorUnavailableException("a libvirt call to " + target + " took longer than "
                    + settings.callTimeout().toMillis() + " ms", e);
        }
        catch (RejectedExecutionException e) {
            throw new HypervisorUnavailableException(thread.isShutdown() ? "the libvirt connection to " + target
                    + " is closed" : "more than " + QUEUE + " libvirt calls to " + target + " are waiting", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while waiting for libvirt", e);
        }
        catch (HypervisorUnavailableException e) {
            throw e;
        }
        catch (HypervisorException e) {
            if (LibvirtErrors.classify(e) == LibvirtErrors.Kind.CONNECTION) {
                throw new HypervisorUnavailableException(message(e), e);
            }
            throw e;
        }
        catch (Exception e) {
            if (LibvirtErrors.classify(e) == LibvirtErrors.Kind.CONNECTION) {
                throw new HypervisorUnavailableException(message(e), e);
            }
            throw new HypervisorException(message(e), e);
        }
    }

    /** Closed: calls go through. Open or half open: libvirtd is (or was just now) unreachable. */
    CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /** Refuses new calls, and waits up to 10 s for the one in hand. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String message(Throwable e) {
        return String.valueOf(e.getMessage());
    }
}
