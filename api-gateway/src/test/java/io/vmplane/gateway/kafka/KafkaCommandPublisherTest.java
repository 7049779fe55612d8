package io.vmplane.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaCommandPublisherTest {

    @Test
    void shouldFitEveryProducerTimeoutInsideTheCreateDeadline() {
        // Given the default create deadline
        Map<String, Object> config = KafkaCommandPublisher.producerConfig("127.0.0.1:9", Duration.ofSeconds(5));
        // Then the producer gives up before the gateway answers 503
        assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 1)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000L);
        assertThat((int) config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isLessThanOrEqualTo(4000 - 1);
    }

    @Test
    void shouldBuildAProducerKafkaAcceptsForTheSmallestDeadline() {
        // Given the smallest create deadline the configuration allows
        var config = KafkaCommandPublisher.producerConfig("127.0.0.1:9", Duration.ofSeconds(2));
        // When Kafka builds a producer from it (which checks delivery ≥ linger + request timeout); no connection
        // is made until the first send
        // Then it accepts the settings
        assertThatCode(() -> new KafkaProducer<>(config).close(Duration.ZERO)).doesNotThrowAnyException();
    }
}
