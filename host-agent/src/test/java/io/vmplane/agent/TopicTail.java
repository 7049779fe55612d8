package io.vmplane.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.vmplane.schemas.messages.Json;

/** Reads a whole topic from the beginning into a list of typed values, one {@link #poll()} at a time. */
final class TopicTail<T> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Class<T> type;
    private final List<T> values = new CopyOnWriteArrayList<>();

    TopicTail(String bootstrapServers, String topic, Class<T> type) {
        this.type = type;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what arrived since the last call and answers everything read so far that matches. */
    List<T> poll(Predicate<T> filter) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(Json.read(r.value(), type)));
        return values.stream().filter(filter).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
