package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.worker.hosts.HostRegistryListener;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A worker that hangs or dies keeps its partitions in the worker group until the group notices; heartbeats must not
 * wait for that, or their hosts read unreachable and placements fail with NO_VALID_HOST while every host is up.
 */
class HeartbeatsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shouldRecordEveryHostsHeartbeatWhileAMemberOfTheWorkerGroupHangsOnItsPartitions() {
        // Given a member of the workers' host-registry group that took its share of the partitions of every topic
        // the group reads, then stopped polling (it keeps them for max.poll.interval.ms: 5 minutes)
        RunningWorker worker = RunningWorker.get();
        try (KafkaConsumer<String, byte[]> hung = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, worker.bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, HostRegistryListener.GROUP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            hung.subscribe(List.of(Topics.HOST_INVENTORY, Topics.HOST_HEARTBEATS));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                hung.poll(Duration.ofMillis(200));
                return !hung.assignment().isEmpty();
            });
            // hosts known to the registry (their inventory stored), keyed over all the partitions
            List<String> hosts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String hostId = unique("hb-host");
                worker.stores.hosts().putInventory(host(hostId, unique("pool"), 4, 8192), 16, 8192)
                        .block(Duration.ofSeconds(5));
                hosts.add(hostId);
            }

            // When each agent sends a heartbeat
            Instant at = Instant.now();
            for (String hostId : hosts) {
                worker.send(Topics.HOST_HEARTBEATS, hostId,
                        new HostHeartbeat(hostId, HostHeartbeat.HostStatus.UP, at));
            }

            // Then every heartbeat reaches the registry, the hung member's partitions included
            await().atMost(WAIT).untilAsserted(() -> assertThat(hosts).allSatisfy(hostId ->
                    assertThat(worker.stores.hosts().host(hostId).block(Duration.ofSeconds(5)).lastHeartbeat())
                            .as(hostId).isNotNull()));
        }
    }
}
