package io.vmplane.worker.kafka;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes the worker's records and waits until Kafka has them ({@code acks=all}, idempotent producer), so that a
 * consumer commits its offset only after what it caused is durable. Blocking: call from listener threads.
 */
public class KafkaPublisher {

    private final KafkaTemplate<String, byte[]> template;
    private final Duration sendTimeout;

    public KafkaPublisher(KafkaTemplate<String, byte[]> template, Duration sendTimeout) {
        this.template = template;
        this.sendTimeout = sendTimeout;
    }

    public void publish(VmEvent event) {
        await(send(event));
    }

    /** Sends a VM's event and its host's command together and waits for both acknowledgements. */
    public void publish(VmEvent event, HostCommand command) {
        await(CompletableFuture.allOf(send(event), send(command)));
    }

    /** Sends a host's command to its partition and waits for the acknowledgement. */
    public void publish(HostCommand command) {
        await(send(command));
    }

    /** Sends a record as it is and waits for its acknowledgement. */
    public void publish(ProducerRecord<String, byte[]> record) {
        await(template.send(record));
    }

    private CompletableFuture<?> send(VmEvent event) {
        return template.send(Topics.VM_EVENTS, event.vmId(), Json.write(event));
    }

    /** Host commands go to the host's own partition, computed from the topic's current partition count. */
    private CompletableFuture<?> send(HostCommand command) {
        int partitions = template.partitionsFor(Topics.HOST_COMMANDS).size();
        byte[] value = Json.MAPPER.writerFor(HostCommand.class).writeValueAsBytes(command);
        return template.send(new ProducerRecord<>(Topics.HOST_COMMANDS,
                Topics.hostPartition(command.hostId(), partitions), command.hostId(), value));
    }

    private void await(CompletableFuture<?> sent) {
        try {
            sent.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused a record: " + e.getCause().getMessage(), e.getCause());
        }
        catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge within " + sendTimeout, e);
        }
    }
}
