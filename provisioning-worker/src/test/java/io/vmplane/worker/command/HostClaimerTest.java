package io.vmplane.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.CapacityLedger.ClaimResult;
import io.vmplane.store.Claim;
import io.vmplane.store.HostRecord;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.Usage;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.placement.PlacementStrategy;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The claim loop around placement, against a registry of plain host records and a ledger that answers claims from
 * a script (what concurrent workers would have made the real one answer).
 */
class HostClaimerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final VmSpec VM = new VmSpec("vm", 1024, 1, new StorageSpec("default", null, List.of()),
            List.of(), null, null);

    private final ScriptedLedger ledger = new ScriptedLedger();
    private final HostClaimer claimer = new HostClaimer(registry("h-1", "h-2"), ledger, properties(2),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldClaimTheNextCandidateWhenTheFirstIsLostToAConcurrentPlacement() {
        // Given
        ledger.answers.add(ClaimResult.INSUFFICIENT_MEMORY);
        ledger.answers.add(ClaimResult.CLAIMED);

        // When
        HostClaimer.Outcome outcome = claimer.claim("vm-1", VM);

        // Then
        assertThat(outcome).isInstanceOfSatisfying(HostClaimer.Outcome.Claimed.class,
                c -> assertThat(c.claim().hostId()).isEqualTo("h-2"));
        assertThat(ledger.attempts).extracting(Claim::hostId).containsExactly("h-1", "h-2");
    }

    @Test
    void shouldGiveUpWithNoValidHostAfterTheBoundedRounds() {
        // Given: every claim of both rounds is lost
        for (int i = 0; i < 4; i++) {
            ledger.answers.add(ClaimResult.INSUFFICIENT_VCPUS);
        }

        // When
        HostClaimer.Outcome outcome = claimer.claim("vm-1", VM);

        // Then
        assertThat(outcome).isInstanceOfSatisfying(HostClaimer.Outcome.NoHost.class, n -> assertThat(n.message())
                .contains("capacity was taken by concurrent placements in 2 rounds")
                .contains("h-1 INSUFFICIENT_VCPUS"));
        assertThat(ledger.attempts).hasSize(4);
    }

    @Test
    void shouldAdoptTheClaimAnotherWorkerMadeForTheSameVm() {
        // Given
        Claim theirs = new Claim("vm-1", "h-2", 1, 1024, List.of(), Map.of());
        ledger.answers.add(ClaimResult.HELD_ON_OTHER_HOST);
        ledger.held = theirs;

        // When
        HostClaimer.Outcome outcome = claimer.claim("vm-1", VM);

        // Then
        assertThat(outcome).isEqualTo(new HostClaimer.Outcome.Claimed(theirs));
    }

    @Test
    void shouldPlaceAgainWhenTheOnlyHostThatFitsLookedUnreachableAndThenReports() {
        // Given h-1 fits, but its last heartbeat read is a minute old; the next read has a fresh one
        Deque<List<HostRecord>> reads = new ArrayDeque<>(List.of(List.of(host("h-1", NOW.minusSeconds(60))),
                List.of(host("h-1", NOW))));
        ledger.answers.add(ClaimResult.CLAIMED);
        HostClaimer waiting = new HostClaimer(registry(() -> reads.size() > 1 ? reads.removeFirst() : reads.peek()),
                ledger, properties(2, Duration.ofSeconds(15)), Clock.fixed(NOW, ZoneOffset.UTC));

        // When
        HostClaimer.Outcome outcome = waiting.claim("vm-1", VM);

        // Then
        assertThat(outcome).isInstanceOfSatisfying(HostClaimer.Outcome.Claimed.class,
                c -> assertThat(c.claim().hostId()).isEqualTo("h-1"));
        assertThat(reads).hasSize(1);
    }

    @Test
    void shouldFailNamingTheUnreachableHostOnceTheWaitIsOver() {
        // Given h-1 fits but stays unreachable
        AtomicInteger reads = new AtomicInteger();
        HostClaimer waiting = new HostClaimer(registry(() -> {
            reads.incrementAndGet();
            return List.of(host("h-1", NOW.minusSeconds(60)));
        }), ledger, properties(2, Duration.ofMillis(700)), Clock.fixed(NOW, ZoneOffset.UTC));

        // When
        HostClaimer.Outcome outcome = waiting.claim("vm-1", VM);

        // Then
        assertThat(outcome).isInstanceOfSatisfying(HostClaimer.Outcome.NoHost.class, n -> {
            assertThat(n.message()).contains("h-1: host is unreachable");
            assertThat(n.hostsMayReturn()).isTrue();
        });
        assertThat(reads.get()).isGreaterThan(1);
        assertThat(ledger.attempts).isEmpty();
    }

    @Test
    void shouldFailAtOnceWhenNoHostCouldTakeTheVmEvenWereItUp() {
        // Given the only host is unreachable and too small anyway
        AtomicInteger reads = new AtomicInteger();
        VmSpec large = new VmSpec("large", 32768, 1, new StorageSpec("default", null, List.of()), List.of(), null,
                null);
        HostClaimer waiting = new HostClaimer(registry(() -> {
            reads.incrementAndGet();
            return List.of(host("h-1", NOW.minusSeconds(60)));
        }), ledger, properties(2, Duration.ofSeconds(15)), Clock.fixed(NOW, ZoneOffset.UTC));

        // When
        HostClaimer.Outcome outcome = waiting.claim("vm-1", large);

        // Then
        assertThat(outcome).isInstanceOfSatisfying(HostClaimer.Outcome.NoHost.class,
                n -> assertThat(n.hostsMayReturn()).isFalse());
        assertThat(reads.get()).isEqualTo(1);
    }

    private static WorkerProperties properties(int rounds) {
        return properties(rounds, Duration.ofSeconds(15));
    }

    private static WorkerProperties properties(int rounds, Duration hostWait) {
        return new WorkerProperties("test", 4.0, 1.0, 1.0, Duration.ofSeconds(15), Duration.ofSeconds(5),
                PlacementStrategy.SPREAD, Duration.ofSeconds(1), Duration.ofSeconds(1), rounds, 1,
                Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofMinutes(2), 2, hostWait);
    }

    private static HostRecord host(String id, Instant lastHeartbeat) {
        var inventory = new HostInventory(id, "test", "127.0.0.1", false, 8, 16384, List.of(), List.of(), NOW);
        return new HostRecord(inventory, 32, 16384, HostStatus.UP, lastHeartbeat);
    }

    private static HostRegistry registry(String... ids) {
        List<HostRecord> hosts = new ArrayList<>();
        for (String id : ids) {
            hosts.add(host(id, NOW));
        }
        return registry(() -> hosts);
    }

    private static HostRegistry registry(Supplier<List<HostRecord>> reads) {
        return new HostRegistry() {
            @Override
            public Mono<Void> putInventory(HostInventory inventory, int vcpuLimit, long memoryLimitMib) {
                return Mono.error(new UnsupportedOperationException());
            }

            @Override
            public Mono<Void> heartbeat(HostHeartbeat heartbeat) {
                return Mono.error(new UnsupportedOperationException());
            }

            @Override
            public Mono<HostRecord> host(String hostId) {
                return hosts().filter(h -> h.id().equals(hostId)).next();
            }

            @Override
            public Flux<HostRecord> hosts() {
                return Flux.defer(() -> Flux.fromIterable(reads.get()));
            }
        };
    }

    /** Answers claims from a script, records the attempts, and reports no usage. */
    private static final class ScriptedLedger implements CapacityLedger {

        final Deque<ClaimResult> answers = new ArrayDeque<>();
        final List<Claim> attempts = new ArrayList<>();
        Claim held;

        @Override
        public Mono<ClaimResult> claim(Claim claim, int vcpuLimit, long memoryLimitMib,
                                       Map<String, Long> poolLimits) {
            attempts.add(claim);
            return Mono.just(answers.removeFirst());
        }

        @Override
        public Mono<Optional<Claim>> claimOf(String vmId) {
            return Mono.just(Optional.ofNullable(held));
        }

        @Override
        public Mono<Void> release(String vmId) {
            return Mono.empty();
        }

        @Override
        public Mono<Usage> usage(String hostId) {
            return Mono.just(Usage.NONE);
        }

        @Override
        public Flux<Claim> claims(String hostId) {
            return Flux.empty();
        }
    }
}
