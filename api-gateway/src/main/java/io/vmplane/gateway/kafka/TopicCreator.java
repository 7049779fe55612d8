package io.vmplane.gateway.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.vmplane.schemas.messages.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Creates {@code vm.commands.v1} (3 partitions, replication 1) at start, in the background: the gateway starts
 * and serves (answering 503 to creates) while Kafka is away, and the creation is retried until it succeeds.
 */
public final class TopicCreator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);
    static final int PARTITIONS = 3;

    private final Mono<Admin> admin;
    private final Disposable creation;

    private TopicCreator(Map<String, Object> config) {
        // Built off the starting thread: the admin client loads much of the Kafka client.
        this.admin = Mono.fromSupplier(() -> Admin.create(config)).subscribeOn(Schedulers.boundedElastic()).cache();
        this.creation = admin.flatMap(client -> Mono.defer(() -> Mono.fromCompletionStage(client
                        .createTopics(List.of(new NewTopic(Topics.VM_COMMANDS, PARTITIONS, (short) 1)))
                        .all().toCompletionStage()))
                .onErrorResume(TopicExistsException.class, e -> Mono.empty())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(10))
                        .doBeforeRetry(s -> log.warn("Creating topic {} failed, retrying: {}", Topics.VM_COMMANDS,
                                s.failure().toString()))))
                .subscribe(done -> { }, e -> log.error("Creating topic {} failed", Topics.VM_COMMANDS, e),
                        () -> log.info("Topic {} is ready", Topics.VM_COMMANDS));
    }

    public static TopicCreator start(String bootstrapServers) {
        return new TopicCreator(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "api-gateway-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    @Override
    public void close() {
        creation.dispose();
        admin.onErrorResume(e -> Mono.empty()).blockOptional(Duration.ofSeconds(5))
                .ifPresent(client -> client.close(Duration.ofSeconds(1)));
    }
}
