package io.vmplane.worker.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vmplane.schemas.messages.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics the worker reads and writes, unless they exist. Runs while the context starts, before any
 * listener subscribes, so that no topic is ever auto-created with the broker's default partition count.
 */
public final class TopicsInitializer {

    private static final Logger log = LoggerFactory.getLogger(TopicsInitializer.class);

    /** Partitions of every topic but {@link Topics#HOST_COMMANDS}. */
    public static final int PARTITIONS = 3;

    private TopicsInitializer() {
    }

    public static List<NewTopic> topics() {
        return List.of(
                new NewTopic(Topics.VM_COMMANDS, PARTITIONS, (short) 1),
                new NewTopic(Topics.HOST_COMMANDS, Topics.HOST_COMMAND_PARTITIONS, (short) 1),
                new NewTopic(Topics.VM_EVENTS, PARTITIONS, (short) 1),
                new NewTopic(Topics.HOST_INVENTORY, PARTITIONS, (short) 1)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(Topics.HOST_HEARTBEATS, PARTITIONS, (short) 1),
                new NewTopic(Topics.DEAD_LETTERS, PARTITIONS, (short) 1));
    }

    /** Creates the missing topics; fails when Kafka does not answer within {@code timeout}. */
    public static void createTopics(Map<String, Object> adminConfig, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig)) {
            var futures = admin.createTopics(topics()).values();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (var entry : futures.entrySet()) {
                try {
                    entry.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    log.info("Created topic {}", entry.getKey());
                }
                catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
        catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create the topics within " + timeout
                    + " (vmplane.worker.admin-timeout)", e);
        }
    }
}
