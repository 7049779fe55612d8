package io.vmplane.gateway.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.vmplane.gateway.vm.CommandPublisher;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes commands with a plain idempotent producer ({@code acks=all}), keyed by VM id. {@code send} may block
 * for up to {@code max.block.ms} while metadata is missing, so it is called on a small pool of its own, never on an
 * event-loop thread; the broker's acknowledgement arrives in the producer's callback, which completes the Mono.
 * The producer is built on that pool too, while the application starts (it loads much of the Kafka client).
 */
public final class KafkaCommandPublisher implements CommandPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCommandPublisher.class);

    /** How long {@code send} may wait for metadata or buffer space before failing. */
    static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    private final Scheduler sendScheduler = Schedulers.newBoundedElastic(8, 1024, "vm-command-send", 60, true);
    private final Mono<Producer<String, byte[]>> producer;

    public KafkaCommandPublisher(Supplier<Producer<String, byte[]>> producerFactory) {
        this.producer = Mono.fromSupplier(producerFactory).subscribeOn(sendScheduler).cache();
        this.producer.subscribe(p -> { }, e -> log.error("Cannot build the Kafka producer", e));
    }

    /**
     * The producer's settings: every timeout of a send fits inside {@code createDeadline} so that the gateway
     * answers 503 in time, and a late acknowledgement cannot follow a 503 unnoticed by a retry (which re-publishes
     * the same command anyway).
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, Duration createDeadline) {
        long deliveryTimeout = createDeadline.minusSeconds(1).toMillis();
        long linger = 1;
        return Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "api-gateway"),
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, (int) linger),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (deliveryTimeout - linger)),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis()),
                Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class),
                Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    public static KafkaCommandPublisher connect(String bootstrapServers, Duration createDeadline) {
        Map<String, Object> config = producerConfig(bootstrapServers, createDeadline);
        return new KafkaCommandPublisher(() -> new KafkaProducer<>(config));
    }

    @Override
    public Mono<Void> publish(VmCommand command) {
        var record = new ProducerRecord<>(Topics.VM_COMMANDS, command.vmId(), Json.write(command));
        return producer.flatMap(p -> Mono.<Void>create(sink -> {
                    try {
                        p.send(record, (metadata, error) -> {
                            if (error != null) {
                                sink.error(error);
                            }
                            else {
                                sink.success();
                            }
                        });
                    }
                    catch (RuntimeException e) {
                        sink.error(e);
                    }
                })
                .subscribeOn(sendScheduler));
    }

    @Override
    public void close() {
        producer.onErrorResume(e -> Mono.empty()).blockOptional(Duration.ofSeconds(5))
                .ifPresent(p -> p.close(Duration.ofSeconds(2)));
        sendScheduler.dispose();
    }
}
