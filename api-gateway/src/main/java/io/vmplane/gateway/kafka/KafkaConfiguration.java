package io.vmplane.gateway.kafka;

import io.vmplane.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The command producer and the topic it writes to. Neither connects at start: Kafka may come later. */
@Configuration(proxyBeanMethods = false)
public class KafkaConfiguration {

    @Bean(destroyMethod = "close")
    KafkaCommandPublisher commandPublisher(GatewayProperties properties) {
        return KafkaCommandPublisher.connect(properties.kafkaBootstrapServers(), properties.createDeadline());
    }

    @Bean(destroyMethod = "close")
    TopicCreator topicCreator(GatewayProperties properties) {
        return TopicCreator.start(properties.kafkaBootstrapServers());
    }
}
