package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalRedisIT {

    @Test
    void shouldAnswerPingOnItsOwnPortUntilClosed() {
        // given
        LocalRedis redis = LocalRedis.start();
        assertThat(redis.ping()).isTrue();
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());

        // when
        redis.close();

        // then
        assertThat(redis.ping()).isFalse();
    }

    @Test
    void shouldShareOneServerPerJvm() {
        // when / then
        assertThat(SharedInfra.redis()).isSameAs(SharedInfra.redis());
        assertThat(SharedInfra.redis().ping()).isTrue();
    }
}
