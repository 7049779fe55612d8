package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.CapacityLedger.ClaimResult;
import io.vmplane.store.Claim;
import io.vmplane.store.Usage;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisCapacityLedgerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long GIB = 1L << 30;
    private static final long TIB = 1L << 40;
    private static final String GPU = "0000:3b:00.0";
    private static final int THREADS = 8;

    private static RedisClient client;
    private static final List<StatefulRedisConnection<String, String>> CONNECTIONS = new ArrayList<>();
    /** One ledger per connection: concurrent workers in the tests each have their own. */
    private static final List<CapacityLedger> LEDGERS = new ArrayList<>();
    private static CapacityLedger ledger;

    @BeforeAll
    static void connect() {
        client = RedisClient.create(SharedInfra.redis().uri());
        for (int i = 0; i < THREADS; i++) {
            StatefulRedisConnection<String, String> connection = client.connect();
            CONNECTIONS.add(connection);
            LEDGERS.add(new RedisCapacityLedger(connection.async()));
        }
        ledger = LEDGERS.get(0);
    }

    @AfterAll
    static void close() {
        CONNECTIONS.forEach(StatefulRedisConnection::close);
        client.shutdown();
    }

    @Test
    void shouldGrantExactlyTheRoomThereIsToConcurrentClaims() throws Exception {
        // Given: room for exactly 40 VMs of 1 vCPU, 512 MiB and 10 GiB, and 200 of them claiming from 8 workers
        String host = uniqueHost();
        Map<String, Long> poolLimits = Map.of("default", 400 * GIB);
        List<Callable<ClaimResult>> claims = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 200; i++) {
            CapacityLedger worker = LEDGERS.get(i % THREADS);
            Claim claim = new Claim(VmIds.newVmId(), host, 1, 512, List.of(), Map.of("default", 10 * GIB));
            claims.add(() -> {
                start.await();
                return worker.claim(claim, 40, 40 * 512, poolLimits).block(TIMEOUT);
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);

        // When
        List<Future<ClaimResult>> futures = new ArrayList<>();
        claims.forEach(claim -> futures.add(pool.submit(claim)));
        start.countDown();
        List<ClaimResult> results = new ArrayList<>();
        for (Future<ClaimResult> future : futures) {
            results.add(future.get());
        }
        pool.shutdown();

        // Then
        Map<ClaimResult, Long> counts = results.stream()
                .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
        assertThat(counts).containsEntry(ClaimResult.CLAIMED, 40L).containsEntry(ClaimResult.INSUFFICIENT_VCPUS, 160L);
        assertThat(ledger.usage(host).block(TIMEOUT))
                .isEqualTo(new Usage(40, 40 * 512, java.util.Set.of(), Map.of("default", 400 * GIB)));
        assertThat(ledger.claims(host).collectList().block(TIMEOUT)).hasSize(40);
    }

    @Test
    void shouldHandAPciDeviceToOneConcurrentClaimant() throws Exception {
        // Given
        String host = uniqueHost();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<ClaimResult>> claims = new ArrayList<>();
        for (CapacityLedger worker : LEDGERS) {
            Claim claim = gpuClaim(VmIds.newVmId(), host);
            claims.add(() -> {
                start.await();
                return worker.claim(claim, 128, 65536, Map.of("default", TIB)).block(TIMEOUT);
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);

        // When
        List<Future<ClaimResult>> futures = new ArrayList<>();
        claims.forEach(claim -> futures.add(pool.submit(claim)));
        start.countDown();
        List<ClaimResult> results = new ArrayList<>();
        for (Future<ClaimResult> future : futures) {
            results.add(future.get());
        }
        pool.shutdown();

        // Then
        assertThat(results).filteredOn(r -> r == ClaimResult.CLAIMED).hasSize(1);
        assertThat(results).filteredOn(r -> r == ClaimResult.PCI_DEVICE_TAKEN).hasSize(THREADS - 1);
        assertThat(ledger.usage(host).block(TIMEOUT).pciAddresses()).containsExactly(GPU);
    }

    @Test
    void shouldGiveAReleasedPciDeviceToTheNextClaim() {
        // Given
        String host = uniqueHost();
        String first = VmIds.newVmId();
        String second = VmIds.newVmId();
        ledger.claim(gpuClaim(first, host), 128, 65536, Map.of("default", TIB)).block(TIMEOUT);
        ClaimResult whileHeld = ledger.claim(gpuClaim(second, host), 128, 65536, Map.of("default", TIB))
                .block(TIMEOUT);

        // When
        ledger.release(first).block(TIMEOUT);
        ClaimResult afterRelease = ledger.claim(gpuClaim(second, host), 128, 65536, Map.of("default", TIB))
                .block(TIMEOUT);

        // Then
        assertThat(whileHeld).isEqualTo(ClaimResult.PCI_DEVICE_TAKEN);
        assertThat(afterRelease).isEqualTo(ClaimResult.CLAIMED);
        assertThat(ledger.claimOf(second).block(TIMEOUT)).contains(gpuClaim(second, host));
        assertThat(ledger.claimOf(first).block(TIMEOUT)).isEmpty();
    }

    @Test
    void shouldRestoreTheSumsExactlyOnRelease() {
        // Given: a host with another VM's claim, and a large one on top
        String host = uniqueHost();
        Map<String, Long> limits = Map.of("default", 500 * TIB, "bulk", 500 * TIB);
        ledger.claim(new Claim(VmIds.newVmId(), host, 2, 4096, List.of(), Map.of("default", 20 * GIB)), 128, 65536,
                limits).block(TIMEOUT);
        Usage before = ledger.usage(host).block(TIMEOUT);
        String vmId = VmIds.newVmId();
        Claim big = new Claim(vmId, host, 4, 8192, List.of(GPU), Map.of("default", 100 * TIB + 1, "bulk", 3L));
        assertThat(ledger.claim(big, 128, 65536, limits).block(TIMEOUT)).isEqualTo(ClaimResult.CLAIMED);
        assertThat(ledger.usage(host).block(TIMEOUT)).isEqualTo(new Usage(6, 12288, java.util.Set.of(GPU),
                Map.of("default", 20 * GIB + 100 * TIB + 1, "bulk", 3L)));

        // When
        ledger.release(vmId).block(TIMEOUT);
        ledger.release(vmId).block(TIMEOUT);

        // Then
        assertThat(ledger.usage(host).block(TIMEOUT)).isEqualTo(before);
        assertThat(ledger.claimOf(vmId).block(TIMEOUT)).isEmpty();
        assertThat(ledger.claims(host).map(Claim::vmId).collectList().block(TIMEOUT)).doesNotContain(vmId);
    }

    @Test
    void shouldReleaseNothingForAVmWithoutClaim() {
        // Given
        String vmId = VmIds.newVmId();

        // When
        ledger.release(vmId).block(TIMEOUT);

        // Then
        assertThat(ledger.claimOf(vmId).block(TIMEOUT)).isEmpty();
    }

    @Test
    void shouldAnswerAlreadyHeldWithoutChangeForARepeatedClaim() {
        // Given
        String host = uniqueHost();
        Claim claim = new Claim(VmIds.newVmId(), host, 2, 2048, List.of(), Map.of());
        ledger.claim(claim, 8, 8192, Map.of()).block(TIMEOUT);

        // When
        ClaimResult again = ledger.claim(claim, 8, 8192, Map.of()).block(TIMEOUT);

        // Then
        assertThat(again).isEqualTo(ClaimResult.ALREADY_HELD);
        assertThat(again.ok()).isTrue();
        assertThat(ledger.usage(host).block(TIMEOUT)).isEqualTo(new Usage(2, 2048, java.util.Set.of(), Map.of()));
    }

    @Test
    void shouldRefuseAClaimOnASecondHost() {
        // Given
        String vmId = VmIds.newVmId();
        String otherHost = uniqueHost();
        ledger.claim(new Claim(vmId, uniqueHost(), 1, 128, List.of(), Map.of()), 8, 1024, Map.of()).block(TIMEOUT);

        // When
        ClaimResult result = ledger.claim(new Claim(vmId, otherHost, 1, 128, List.of(), Map.of()), 8, 1024, Map.of())
                .block(TIMEOUT);

        // Then
        assertThat(result).isEqualTo(ClaimResult.HELD_ON_OTHER_HOST);
        assertThat(ledger.usage(otherHost).block(TIMEOUT)).isEqualTo(Usage.NONE);
    }

    @Test
    void shouldNameTheResourceThatIsShort() {
        // Given
        String host = uniqueHost();
        Map<String, Long> limits = Map.of("default", 100 * GIB);

        // When
        ClaimResult memory = ledger.claim(new Claim(VmIds.newVmId(), host, 1, 8193, List.of(), Map.of()), 8, 8192,
                limits).block(TIMEOUT);
        ClaimResult storage = ledger.claim(new Claim(VmIds.newVmId(), host, 1, 128, List.of(),
                Map.of("default", 100 * GIB + 1)), 8, 8192, limits).block(TIMEOUT);
        ClaimResult unknownPool = ledger.claim(new Claim(VmIds.newVmId(), host, 1, 128, List.of(),
                Map.of("fast", 1L)), 8, 8192, limits).block(TIMEOUT);
        ClaimResult vcpus = ledger.claim(new Claim(VmIds.newVmId(), host, 9, 128, List.of(), Map.of()), 8, 8192,
                limits).block(TIMEOUT);

        // Then
        assertThat(memory).isEqualTo(ClaimResult.INSUFFICIENT_MEMORY);
        assertThat(storage).isEqualTo(ClaimResult.INSUFFICIENT_STORAGE);
        assertThat(unknownPool).isEqualTo(ClaimResult.INSUFFICIENT_STORAGE);
        assertThat(vcpus).isEqualTo(ClaimResult.INSUFFICIENT_VCPUS);
        assertThat(ledger.usage(host).block(TIMEOUT)).isEqualTo(Usage.NONE);
        assertThat(ledger.claims(host).collectList().block(TIMEOUT)).isEmpty();
    }

    @Test
    void shouldClaimAgainAfterRelease() {
        // Given: a host full with one VM
        String host = uniqueHost();
        String first = VmIds.newVmId();
        ledger.claim(new Claim(first, host, 8, 8192, List.of(), Map.of()), 8, 8192, Map.of()).block(TIMEOUT);
        Claim next = new Claim(VmIds.newVmId(), host, 8, 8192, List.of(), Map.of());
        assertThat(ledger.claim(next, 8, 8192, Map.of()).block(TIMEOUT)).isEqualTo(ClaimResult.INSUFFICIENT_VCPUS);
        ledger.release(first).block(TIMEOUT);

        // When
        ClaimResult result = ledger.claim(next, 8, 8192, Map.of()).block(TIMEOUT);

        // Then
        assertThat(result).isEqualTo(ClaimResult.CLAIMED);
        assertThat(ledger.claimOf(next.vmId()).block(TIMEOUT)).isEqualTo(Optional.of(next));
    }

    private static Claim gpuClaim(String vmId, String host) {
        return new Claim(vmId, host, 4, 8192, List.of(GPU), Map.of("default", 40 * GIB));
    }

    private static String uniqueHost() {
        return "sim-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
