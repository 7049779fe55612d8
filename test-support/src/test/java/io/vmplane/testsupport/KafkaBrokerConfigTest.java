package io.vmplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class KafkaBrokerConfigTest {

    @Test
    void shouldDescribeASingleNodeKraftBrokerOnTheGivenPorts() {
        // when
        String properties = KafkaBrokerConfig.serverProperties(19092, 19093, Path.of("/tmp/k/data"));

        // then
        assertThat(properties).contains(
                "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:19093",
                "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093",
                "offsets.topic.replication.factor=1",
                "log.dirs=/tmp/k/data");
    }
}
