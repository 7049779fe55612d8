package io.vmplane.worker.config;

import io.vmplane.store.VmStore;
import io.vmplane.worker.kafka.DeadLetters;
import io.vmplane.worker.kafka.KafkaPublisher;
import io.vmplane.worker.kafka.TopicsInitializer;
import io.vmplane.worker.kafka.RejectedRecordException;
import io.vmplane.worker.kafka.UnreadableRecordException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;

/**
 * Kafka: the topics (created before any listener subscribes), the publisher that waits for acknowledgements, and
 * the error handling every listener shares: bounded retries, then the dead letters.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfiguration {

    /** Creates the topics while the context starts, done before any listener container starts. */
    @Bean
    TopicsInitializer topicsInitializer(KafkaAdmin admin, WorkerProperties properties) {
        return new TopicsInitializer(admin.getConfigurationProperties(), properties.adminTimeout());
    }

    @Bean
    KafkaPublisher kafkaPublisher(KafkaTemplate<String, byte[]> template, WorkerProperties properties) {
        return new KafkaPublisher(template, properties.sendTimeout());
    }

    @Bean
    DeadLetters deadLetters(KafkaPublisher publisher, VmStore vms, WorkerProperties properties) {
        return new DeadLetters(publisher, vms, properties.instanceId(), properties.storeTimeout());
    }

    /** Picked up by Boot's listener container factory. */
    @Bean
    CommonErrorHandler errorHandler(DeadLetters deadLetters, WorkerProperties properties) {
        var backOff = new ExponentialBackOffWithMaxRetries(properties.handlingAttempts() - 1);
        backOff.setInitialInterval(properties.retryBackoff().toMillis());
        backOff.setMultiplier(2.0);
        backOff.setMaxInterval(5_000);
        var handler = new DefaultErrorHandler(deadLetters, backOff);
        handler.addNotRetryableExceptions(UnreadableRecordException.class, RejectedRecordException.class);
        return handler;
    }
}
