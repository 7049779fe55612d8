package io.vmplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vmplane.gateway.web.ApiException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class ConsoleGuardTest {

    private static ConsoleGuard guard(int perMinute, Duration timeout) {
        return new ConsoleGuard(new ConsoleGatewayProperties(List.of(URI.create("http://127.0.0.1:8090")), null,
                Duration.ofSeconds(60), perMinute, timeout, Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(15)));
    }

    private static String codeOf(Throwable e) {
        return ((ApiException) e).problem().code();
    }

    @Test
    void shouldAnswerAFailedStoreCallWithConsoleUnavailable() {
        ConsoleGuard guard = guard(30, Duration.ofSeconds(2));

        assertThatThrownBy(() -> guard.call(Mono.error(new IllegalStateException("redis gone"))).block())
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo("CONSOLE_UNAVAILABLE"))
                .satisfies(e -> assertThat(((ApiException) e).problem().status()).isEqualTo(503));
    }

    @Test
    void shouldAnswerASlowStoreCallWithConsoleUnavailable() {
        ConsoleGuard guard = guard(30, Duration.ofMillis(100));

        assertThatThrownBy(() -> guard.call(Mono.never()).block(Duration.ofSeconds(5)))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo("CONSOLE_UNAVAILABLE"));
    }

    @Test
    void shouldStopCallingTheStoreOnceTheBreakerIsOpen() {
        // Given five failed calls
        ConsoleGuard guard = guard(30, Duration.ofSeconds(2));
        AtomicInteger calls = new AtomicInteger();
        Mono<String> failing = Mono.defer(() -> {
            calls.incrementAndGet();
            return Mono.error(new IllegalStateException("redis gone"));
        });
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> guard.call(failing).block()).isInstanceOf(ApiException.class);
        }

        // When another call comes
        // Then it fails at once, without reaching the store
        assertThat(guard.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> guard.call(failing).block())
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo("CONSOLE_UNAVAILABLE"));
        assertThat(calls).hasValue(5);
    }

    @Test
    void shouldNotCountARefusalAsAStoreFailure() {
        ConsoleGuard guard = guard(30, Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> guard.call(Mono.error(ConsoleProblems.notRunning("stopped"))).block())
                    .satisfies(e -> assertThat(codeOf(e)).isEqualTo("VM_NOT_RUNNING"));
        }
        assertThat(guard.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void shouldLimitTokenIssuePerUser() {
        ConsoleGuard guard = guard(2, Duration.ofSeconds(2));

        guard.issuePermit("alice").block();
        guard.issuePermit("alice").block();
        assertThatThrownBy(() -> guard.issuePermit("alice").block())
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo("RATE_LIMITED"))
                .satisfies(e -> assertThat(((ApiException) e).problem().status()).isEqualTo(429));
        guard.issuePermit("bob").block();
    }
}
