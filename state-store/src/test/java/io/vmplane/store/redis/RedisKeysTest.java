package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisKeysTest {

    @Test
    void shouldPrefixEveryKeyWithVmplane() {
        // Given / When
        var keys = new String[] {RedisKeys.vm("vm-1"), RedisKeys.operation("op-1"), RedisKeys.ALL_VMS,
                RedisKeys.ACTIVE_VMS, RedisKeys.HOSTS, RedisKeys.host("sim-1"), RedisKeys.claims("sim-1"),
                RedisKeys.usage("sim-1"), RedisKeys.pci("sim-1"), RedisKeys.claimOf("vm-1"),
                RedisKeys.idempotency("dev", "k")};

        // Then
        assertThat(keys).allSatisfy(key -> assertThat(key).startsWith("vmplane:"));
    }

    @Test
    void shouldKeepAHostsKeysUnderOneHashTag() {
        // Given
        String host = "sim-1";

        // When
        var keys = new String[] {RedisKeys.host(host), RedisKeys.claims(host), RedisKeys.usage(host),
                RedisKeys.pci(host)};

        // Then
        assertThat(keys).allSatisfy(key -> assertThat(hashTag(key)).isEqualTo(host));
    }

    @Test
    void shouldNotCollideIdempotencyKeysWhosePartsContainTheSeparator() {
        // Given / When
        String first = RedisKeys.idempotency("a:b", "c");
        String second = RedisKeys.idempotency("a", "b:c");

        // Then
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void shouldPointTheOperationPrefixAtOperationKeys() {
        // Given / When / Then: apply-event.lua builds an operation's key from this prefix
        assertThat(RedisKeys.OPERATION_PREFIX + "op-1").isEqualTo(RedisKeys.operation("op-1"));
    }

    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = key.indexOf('}', open + 1);
        return key.substring(open + 1, close);
    }
}
