package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.store.Claim;
import io.vmplane.store.Usage;
import org.junit.jupiter.api.Test;

class LedgerArgsTest {

    private static final long TIB = 1L << 40;

    @Test
    void shouldLayOutClaimArgumentsWithPoolsInNameOrder() {
        // Given
        Claim claim = new Claim("vm-1", "sim-1", 4, 8192, List.of("0000:3b:00.0"),
                Map.of("fast", 100L << 30, "default", 40L << 30));

        // When
        List<String> args = LedgerArgs.claim(claim, "{}", 128, 65536,
                Map.of("default", 500L << 30, "fast", 200L << 30));

        // Then
        assertThat(args).containsExactly("vm-1", "sim-1", "{}", "4", "128", "8192", "65536", "1", "0000:3b:00.0",
                "default", Long.toString(40L << 30), Long.toString(500L << 30),
                "fast", Long.toString(100L << 30), Long.toString(200L << 30));
    }

    @Test
    void shouldGiveAPoolWithoutLimitNoRoom() {
        // Given
        Claim claim = new Claim("vm-1", "sim-1", 1, 128, List.of(), Map.of("bulk", 1L));

        // When
        List<String> args = LedgerArgs.claim(claim, "{}", 8, 1024, Map.of());

        // Then
        assertThat(args.subList(8, args.size())).containsExactly("bulk", "1", "0");
    }

    @Test
    void shouldWriteLargeAmountsAsExactIntegers() {
        // Given
        Claim claim = new Claim("vm-1", "sim-1", 1, 128, List.of(), Map.of("bulk", 100 * TIB + 1));

        // When
        List<String> claimArgs = LedgerArgs.claim(claim, "{}", 8, 1024, Map.of("bulk", 200 * TIB));
        List<String> releaseArgs = LedgerArgs.release("vm-1", "sim-1", claim, "{}");

        // Then
        assertThat(claimArgs).contains("109951162777601", "219902325555200");
        assertThat(releaseArgs).contains("-109951162777601");
    }

    @Test
    void shouldRefuseNegativeAmounts() {
        // Given
        Claim claim = new Claim("vm-1", "sim-1", -1, 128, List.of(), Map.of());

        // When / Then
        assertThatThrownBy(() -> LedgerArgs.claim(claim, "{}", 8, 1024, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNegateEveryAmountOfAReleasedClaim() {
        // Given
        Claim claim = new Claim("vm-1", "sim-1", 2, 4096, List.of("0000:3b:00.0", "0000:3c:00.0"),
                Map.of("default", 20L << 30));

        // When
        List<String> args = LedgerArgs.release("vm-1", "sim-1", claim, "{\"vmId\":\"vm-1\"}");

        // Then
        assertThat(args).containsExactly("vm-1", "sim-1", "{\"vmId\":\"vm-1\"}", "-2", "-4096", "2",
                "0000:3b:00.0", "0000:3c:00.0", "default", Long.toString(-(20L << 30)));
    }

    @Test
    void shouldReleaseNothingButTheMarkerWhenTheClaimIsMissing() {
        // Given / When
        List<String> args = LedgerArgs.release("vm-1", "sim-1", null, null);

        // Then
        assertThat(args).containsExactly("vm-1", "sim-1", "", "0", "0", "0");
    }

    @Test
    void shouldReadTheUsageHash() {
        // Given
        Map<String, String> sums = Map.of("vcpus", "6", "memory_mib", "12288", "pool:default", "42",
                "pool:fast", "7");

        // When
        Usage usage = LedgerArgs.usage(sums, List.of("0000:3b:00.0"));

        // Then
        assertThat(usage).isEqualTo(new Usage(6, 12288, Set.of("0000:3b:00.0"), Map.of("default", 42L, "fast", 7L)));
    }

    @Test
    void shouldReadAnEmptyUsageHashAsNone() {
        // Given / When
        Usage usage = LedgerArgs.usage(Map.of(), List.of());

        // Then
        assertThat(usage).isEqualTo(Usage.NONE);
    }
}
