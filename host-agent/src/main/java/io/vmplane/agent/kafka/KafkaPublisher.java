package io.vmplane.agent.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.vmplane.agent.provision.VmEventSink;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;

/**
 * Publishes the agent's records. Every send waits until the broker has it ({@code acks=all}, idempotent producer),
 * so a command is committed only after its events are durable. Thread-safe.
 */
public final class KafkaPublisher implements VmEventSink, AutoCloseable {

    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<String, byte[]> producer;

    public KafkaPublisher(Map<String, Object> producerProperties, String clientId) {
        Map<String, Object> props = new HashMap<>(producerProperties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(SEND_TIMEOUT_SECONDS));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(props);
    }

    @Override
    public void publish(VmEvent event) {
        send(Topics.VM_EVENTS, event.vmId(), Json.write(event));
    }

    public void inventory(HostInventory inventory) {
        send(Topics.HOST_INVENTORY, inventory.hostId(), Json.write(inventory));
    }

    public void heartbeat(HostHeartbeat heartbeat) {
        send(Topics.HOST_HEARTBEATS, heartbeat.hostId(), Json.write(heartbeat));
    }

    /** A command record that could not be read, kept as it came. */
    public void deadLetter(String key, byte[] value) {
        send(Topics.DEAD_LETTERS, key, value);
    }

    private void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(SEND_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing to " + topic, e);
        }
        catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PublishException("cannot publish to " + topic + ": " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    /** A record did not reach the broker in time. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
