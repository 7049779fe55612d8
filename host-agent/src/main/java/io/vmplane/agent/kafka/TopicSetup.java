package io.vmplane.agent.kafka;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import io.vmplane.schemas.messages.Topics;

/**
 * Creates the topics the agent uses that do not exist yet (an existing topic is left as it is, and one created by
 * another service at the same moment is fine) and reads the command topic's layout.
 */
public final class TopicSetup {

    private static final long TIMEOUT_SECONDS = 30;

    private TopicSetup() {
    }

    /** Ensures the topics exist and answers the partition count of {@link Topics#HOST_COMMANDS}. */
    public static int ensureTopics(Map<String, Object> adminProperties) {
        try (Admin admin = Admin.create(adminProperties)) {
            List<NewTopic> topics = List.of(
                    new NewTopic(Topics.HOST_COMMANDS, Optional.of(Topics.HOST_COMMAND_PARTITIONS), Optional.of((short) 1)),
                    topic(Topics.VM_EVENTS),
                    topic(Topics.HOST_HEARTBEATS)
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Topics.HOST_HEARTBEATS_RETENTION_MS)),
                    topic(Topics.DEAD_LETTERS),
                    topic(Topics.HOST_INVENTORY)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            CreateTopicsResult result = admin.createTopics(missing);
            for (var future : result.values().values()) {
                try {
                    future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create Kafka topics: " + e.getCause().getMessage(), e);
                    }
                }
            }
            return admin.describeTopics(List.of(Topics.HOST_COMMANDS)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(Topics.HOST_COMMANDS).partitions().size();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up Kafka topics", e);
        }
        catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the layout of " + Topics.HOST_COMMANDS + ": " + e, e);
        }
    }

    /**
     * Runs {@link #ensureTopics} on a thread of its own, so the topic round trips overlap the rest of the start.
     */
    public static CompletableFuture<Integer> ensureTopicsAsync(Map<String, Object> adminProperties) {
        CompletableFuture<Integer> partitions = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                partitions.complete(ensureTopics(adminProperties));
            }
            catch (RuntimeException e) {
                partitions.completeExceptionally(e);
            }
        }, "kafka-topics");
        thread.setDaemon(true);
        thread.start();
        return partitions;
    }

    private static NewTopic topic(String name) {
        return new NewTopic(name, Optional.of(3), Optional.of((short) 1));
    }
}
