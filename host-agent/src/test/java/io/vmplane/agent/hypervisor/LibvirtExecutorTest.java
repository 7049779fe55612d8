package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

class LibvirtExecutorTest {

    private static final LibvirtResilience FAST = new LibvirtResilience(Duration.ofMillis(500), 3,
            Duration.ofMillis(10), Duration.ofMillis(300));

    private final LibvirtExecutor executor = new LibvirtExecutor("qemu:///test", FAST);
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void shouldRetryAConnectionErrorWithBackoffUntilTheCallSucceeds() {
        // When a call fails twice because the connection broke, then works
        String answer = executor.call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw LibvirtFailures.error(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC);
            }
            return "ok";
        });

        // Then the third attempt's answer comes back
        assertThat(answer).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldNotRetryLibvirtsDefiniteAnswerNorCountItAgainstTheConnection() {
        // When a call is refused because the domain exists, several times in a row
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> executor.call(() -> {
                calls.incrementAndGet();
                throw LibvirtFailures.error(ErrorNumber.VIR_ERR_DOM_EXIST, ErrorDomain.VIR_FROM_QEMU);
            })).isInstanceOf(HypervisorException.class).isNotInstanceOf(HypervisorUnavailableException.class)
                    .hasMessageContaining("VIR_ERR_DOM_EXIST");
        }

        // Then each was tried once, and libvirt still counts as reachable
        assertThat(calls).hasValue(4);
        assertThat(executor.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void shouldOpenTheBreakerWhenTheConnectionKeepsFailingThenRefuseCallsWithoutRunningThem() {
        // Given calls that fail on every attempt because libvirtd is gone
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> executor.call(() -> {
                calls.incrementAndGet();
                throw LibvirtFailures.error(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_REMOTE);
            })).isInstanceOf(HypervisorUnavailableException.class);
        }
        int attempts = calls.get();

        // When another call comes
        assertThatThrownBy(() -> executor.call(() -> calls.incrementAndGet()))

                // Then it is refused at once, and the breaker is open
                .isInstanceOf(HypervisorUnavailableException.class).hasMessageContaining("circuit breaker open");
        assertThat(calls).hasValue(attempts);
        assertThat(attempts).isBetween(LibvirtExecutor.MINIMUM_CALLS, 2 * FAST.retryAttempts());
        assertThat(executor.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void shouldCloseTheBreakerAgainOnceACallGoesThroughAfterTheOpenDuration() {
        // Given an open breaker
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> executor.call(() -> {
                throw LibvirtFailures.error(ErrorNumber.VIR_ERR_NO_CONNECT, ErrorDomain.VIR_FROM_NONE);
            })).isInstanceOf(HypervisorUnavailableException.class);
        }
        assertThat(executor.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);

        // When libvirt answers again, then the first call let through closes the breaker
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            try {
                executor.call(() -> 1);
            }
            catch (HypervisorUnavailableException e) {
                // still open
            }
            assertThat(executor.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        });
    }

    @Test
    void shouldGiveUpOnAStuckCallAndNeverRunACallThatTimedOutInTheQueue() throws Exception {
        // Given a call stuck on the libvirt thread
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean queuedRan = new AtomicBoolean();
        Thread stuck = new Thread(() -> {
            try {
                executor.call(() -> {
                    started.countDown();
                    awaitDeafToInterrupts(release);
                    return null;
                });
            }
            catch (HypervisorUnavailableException expected) {
                // timed out
            }
        });
        stuck.start();
        started.await();

        // When another call waits behind it past the timeout
        assertThatThrownBy(() -> executor.call(() -> queuedRan.getAndSet(true)))

                // Then it fails as unavailable, and never runs, even once the thread is free again
                .isInstanceOf(HypervisorUnavailableException.class).hasMessageContaining("took longer than 500 ms");
        release.countDown();
        stuck.join();
        assertThat(executor.call(() -> "free")).isEqualTo("free");
        assertThat(queuedRan).isFalse();
    }

    /** Blocks like a JNA call into libvirt: an interrupt does not end it. */
    private static void awaitDeafToInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            }
            catch (InterruptedException e) {
                // ignored, as native code ignores it
            }
        }
    }
}
