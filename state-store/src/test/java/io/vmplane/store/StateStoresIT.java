package io.vmplane.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.lettuce.core.RedisException;
import io.vmplane.testsupport.LocalRedis;
import org.junit.jupiter.api.Test;

class StateStoresIT {

    @Test
    void shouldFailCallsPromptlyWhileRedisIsGone() {
        // Given stores connected to a Redis that then goes away
        LocalRedis redis = LocalRedis.start();
        try (StateStores stores = StateStores.connect(redis.uri())) {
            assertThat(stores.vms().get("vm-00000000-0000-0000-0000-000000000000").block(Duration.ofSeconds(5)))
                    .isNull();
            redis.close();

            // When a caller reads
            // Then the call fails with Redis' own error, well before the caller's 10 s bound (not after Lettuce's
            // default 60 s)
            assertThatThrownBy(() -> stores.vms().get("vm-00000000-0000-0000-0000-000000000000")
                    .block(Duration.ofSeconds(10)))
                    .isInstanceOf(RedisException.class);
        }
    }
}
