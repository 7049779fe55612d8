package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LuaScriptTest {

    @Test
    void shouldComputeTheDigestRedisUsesForEvalsha() {
        // Given / When / Then: the SHA-1 of "return 1" as SCRIPT LOAD reports it
        assertThat(LuaScript.sha1Hex("return 1")).isEqualTo("e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    }

    @Test
    void shouldLoadEveryShippedScript() {
        // Given / When
        var names = new String[] {"create-pending", "apply-event", "put-if-absent", "claim", "release", "usage",
            "console-put", "console-revoke", "console-session-reserve", "console-session-put"};

        // Then
        for (String name : names) {
            assertThat(LuaScript.load(name).sha1()).as(name).hasSize(40);
        }
    }

    @Test
    void shouldRefuseAMissingScript() {
        // Given / When / Then
        assertThatThrownBy(() -> LuaScript.load("no-such-script"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-script.lua");
    }
}
