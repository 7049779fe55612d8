package io.vmplane.agent.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;

/**
 * Reads this host's partition of {@link Topics#HOST_COMMANDS} on a thread of its own ({@code host-commands}), one
 * record at a time: records keyed by another host are skipped, the others are handed to the handler, and the
 * offset is committed (group {@code host-agent-<host id>}) only after the handler returned. So a command sent while
 * the agent is down is carried out when it comes back, and one whose handling failed (its events could not be
 * published) is read again after a pause.
 *
 * <p>The partition is assigned by hand, not by the group coordinator: each agent owns exactly the partition its
 * host id maps to.
 */
public final class CommandConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

    private final String hostId;
    private final IntSupplier partitions;
    private TopicPartition partition;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<HostCommand> handler;
    private final BiConsumer<String, byte[]> deadLetters;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean polling;

    /**
     * @param partitions the partition count of {@link Topics#HOST_COMMANDS}, asked for when reading starts
     */
    public CommandConsumer(Map<String, Object> consumerProperties, String hostId, IntSupplier partitions,
                           Consumer<HostCommand> handler, BiConsumer<String, byte[]> deadLetters) {
        this.hostId = hostId;
        this.partitions = partitions;
        this.handler = handler;
        this.deadLetters = deadLetters;
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "host-agent-" + hostId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "host-agent-" + hostId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(this::run, "host-commands");
    }

    public void start() {
        partition = new TopicPartition(Topics.HOST_COMMANDS, Topics.hostPartition(hostId, partitions.getAsInt()));
        consumer.assign(List.of(partition));
        thread.start();
        log.info("Reading {} for host {}", partition, hostId);
    }

    /** True while the command thread is polling. */
    public boolean polling() {
        return polling;
    }

    private void run() {
        polling = true;
        try {
            while (stopping.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (stopping.getCount() == 0) {
                        break;
                    }
                    if (!process(record)) {
                        consumer.seek(partition, record.offset());
                        pause();
                        break;
                    }
                    commit(record);
                }
            }
        }
        catch (WakeupException e) {
            // close() woke the poll up: leave.
        }
        finally {
            polling = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Hands one record on; false when it must be read again. */
    private boolean process(ConsumerRecord<String, byte[]> record) {
        if (!hostId.equals(record.key())) {
            return true;
        }
        HostCommand command;
        try {
            command = Json.read(record.value(), HostCommand.class);
        }
        catch (RuntimeException e) {
            log.error("Unreadable command at {}@{}, sent to {}: {}", partition, record.offset(), Topics.DEAD_LETTERS,
                    e.getMessage());
            try {
                deadLetters.accept(record.key(), record.value());
                return true;
            }
            catch (RuntimeException publishFailure) {
                log.warn("Cannot dead-letter the record at {}@{}: {}", partition, record.offset(),
                        publishFailure.getMessage());
                return false;
            }
        }
        try {
            handler.accept(command);
            return true;
        }
        catch (RuntimeException e) {
            log.warn("Command {} for {} not done, will read it again: {}", command.commandId(), command.vmId(),
                    e.getMessage());
            return false;
        }
    }

    private void commit(ConsumerRecord<String, byte[]> record) {
        Map<TopicPartition, OffsetAndMetadata> offset = Map.of(partition, new OffsetAndMetadata(record.offset() + 1));
        try {
            try {
                consumer.commitSync(offset);
            }
            catch (WakeupException e) {
                // close() was called while the command ran: the wake-up is spent, commit what is done.
                consumer.commitSync(offset);
            }
        }
        catch (KafkaException e) {
            // The command is done; a redelivery after a restart finds its work and only reports it again.
            log.warn("Cannot commit {}@{}: {}", partition, record.offset(), e.getMessage());
        }
    }

    private void pause() {
        try {
            stopping.await(RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops reading: waits for the command in hand to finish, then closes the consumer. */
    @Override
    public void close() {
        stopping.countDown();
        if (!thread.isAlive()) {
            if (thread.getState() == Thread.State.NEW) {
                consumer.close(Duration.ofSeconds(5));
            }
            return;
        }
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
