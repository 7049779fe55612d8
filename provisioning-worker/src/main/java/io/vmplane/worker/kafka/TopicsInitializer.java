package io.vmplane.worker.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
import org.springframework.context.SmartLifecycle;

/**
 * Creates the topics the worker reads and writes, unless they exist. The creation starts in the background as soon
 * as this bean exists (while the rest of the context, e.g. the Redis connection, is set up) and is awaited in an
 * early lifecycle phase, before any listener subscribes: no topic is ever auto-created with the broker's default
 * partition count, and a Kafka that does not answer stops the start.
 */
public final class TopicsInitializer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopicsInitializer.class);

    /** Partitions of every topic but {@link Topics#HOST_COMMANDS}. */
    public static final int PARTITIONS = 3;

    /** Before the listener containers' phase and the web server's. */
    private static final int PHASE = Integer.MIN_VALUE + 1000;

    private final CompletableFuture<Void> created = new CompletableFuture<>();
    private volatile boolean running;

    public TopicsInitializer(Map<String, Object> adminConfig, Duration timeout) {
        Thread thread = new Thread(() -> {
            try {
                createTopics(adminConfig, timeout);
                created.complete(null);
            }
            catch (RuntimeException e) {
                created.completeExceptionally(e);
            }
        }, "topics-init");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the creation started at construction; its failure fails the start. */
    @Override
    public void start() {
        try {
            created.join();
            running = true;
        }
        catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    public static List<NewTopic> topics() {
        return List.of(
                new NewTopic(Topics.VM_COMMANDS, PARTITIONS, (short) 1),
                new NewTopic(Topics.HOST_COMMANDS, Topics.HOST_COMMAND_PARTITIONS, (short) 1),
                new NewTopic(Topics.VM_EVENTS, PARTITIONS, (short) 1),
                new NewTopic(Topics.HOST_INVENTORY, PARTITIONS, (short) 1)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(Topics.HOST_HEARTBEATS, PARTITIONS, (short) 1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Topics.HOST_HEARTBEATS_RETENTION_MS)),
                new NewTopic(Topics.DEAD_LETTERS, PARTITIONS, (short) 1));
    }

    /** Creates the missing topics; fails when Kafka does not answer within {@code timeout}. */
    public static void createTopics(Map<String, Object> adminConfig, Duration timeout) {
        Admin admin = Admin.create(adminConfig);
        try {
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
        finally {
            // Not the default close, which waits for pending calls up to the admin's API timeout (60 s).
            admin.close(Duration.ofSeconds(1));
        }
    }
}
