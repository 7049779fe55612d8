package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import io.vmplane.gateway.GatewayApplication;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmRecord;
import io.vmplane.testsupport.SharedInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway started in-process on a random port against the Redis and Kafka of {@link SharedInfra}; every
 * contract test class extends this one, so they share one application context. Gives a validating client, tokens,
 * the command topic's end offsets (read with an admin client) and the store's VMs of a project.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class RunningGateway {

    static final String VMS = "/api/v1/virtualization/virtualmachines";
    static final String CREATE = VMS + "/create-enhanced";
    static final String OPERATIONS = "/api/v1/operations";
    static final String HOSTS = "/api/v1/virtualization/hosts";
    static final ContractTokens TOKENS = ContractTokens.newSecret();

    private static Admin admin;
    private static StateStores stores;

    @LocalServerPort
    int port;

    ContractClient api;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
    }

    @BeforeAll
    static void openInfrastructureClients() {
        var props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers());
        admin = Admin.create(props);
        stores = StateStores.connect(SharedInfra.redis().uri());
    }

    @AfterAll
    static void closeInfrastructureClients() {
        admin.close(Duration.ofSeconds(2));
        stores.close();
    }

    @BeforeEach
    void client() {
        api = new ContractClient(port);
    }

    /** The end offset of every partition of {@code vm.commands.v1}, from the broker (the topic exists by then). */
    static Map<TopicPartition, Long> commandTopicEndOffsets() {
        try {
            TopicDescription topic = admin.describeTopics(java.util.List.of(Topics.VM_COMMANDS))
                    .allTopicNames().get().get(Topics.VM_COMMANDS);
            Map<TopicPartition, OffsetSpec> latest = topic.partitions().stream().collect(Collectors.toMap(
                    p -> new TopicPartition(Topics.VM_COMMANDS, p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + Topics.VM_COMMANDS, e.getCause());
        }
    }

    /** How many VMs the store holds for a project. */
    static long vmsInStore(String project) {
        Long count = stores.vms().all().filter(vm -> project.equals(vm.project())).count().block();
        assertThat(count).isNotNull();
        return count;
    }

    /** What an agent would report: the VM's current generation ended with this status on this host. */
    static void finish(String vmId, VmStatus status, String host) {
        long generation = stores.vms().get(vmId).block().generation();
        assertThat(stores.vms().apply(VmEvent.of(vmId, generation, VmEvent.Phase.FINAL, status, host, "contract"))
                .block()).isTrue();
    }

    static VmRecord vmInStore(String vmId) {
        return stores.vms().get(vmId).block();
    }
}
