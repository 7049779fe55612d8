package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.vmplane.gateway.GatewayApplication;
import io.vmplane.gateway.vm.CreateRequestValidator;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmRecord;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway with Kafka's bootstrap address pointing at a closed port: creates answer 503 in time. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KafkaUnreachableIT {

    private static final Duration CREATE_DEADLINE = Duration.ofSeconds(3);
    private static final Tokens TOKENS = Tokens.newSecret();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + closedPort());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
        registry.add("vmplane.gateway.create-deadline", CREATE_DEADLINE::toString);
    }

    /** A port that was free a moment ago and that nothing listens on. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterAndTheVmIdWithinTheCreateDeadline() {
        // Given a gateway whose Kafka is unreachable, and a client that waits no longer than the deadline + 1 s
        String project = "p-" + UUID.randomUUID();
        String token = TOKENS.user("alice", project);
        String key = "retry-" + UUID.randomUUID();
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(CREATE_DEADLINE.plusSeconds(1)).build();
        // When a create is sent with an Idempotency-Key
        var response = client.post().uri("/api/v1/virtualization/virtualmachines/create-enhanced")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).header("Idempotency-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Examples.SIMPLE).exchange();
        // Then it answers 503 in time, with Retry-After and the ids a retry converges on
        response.expectStatus().isEqualTo(503)
                .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = JSON.readTree(response.expectBody().returnResult().getResponseBody());
        String vmId = VmIds.vmIdFor(project, key);
        assertThat(problem.get("code").stringValue()).isEqualTo("KAFKA_UNAVAILABLE");
        assertThat(problem.get("vm_id").stringValue()).isEqualTo(vmId);
        assertThat(problem.get("operation_id").stringValue()).isEqualTo(VmIds.operationIdFor(vmId, 1));

        // and the VM is recorded as pending under that id, so a retry with the key converges on it
        client.get().uri("/api/v1/virtualization/virtualmachines/" + vmId)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("pending");
        client.post().uri("/api/v1/virtualization/virtualmachines/create-enhanced")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).header("Idempotency-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Examples.SIMPLE).exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.vm_id").isEqualTo(vmId);
    }

    @Test
    void shouldAnswer503ToAStopAndTheSameOperationToItsRetryWithTheKey() {
        // Given a running VM (recorded straight in the store) and a gateway whose Kafka is unreachable
        String project = "p-" + UUID.randomUUID();
        String token = TOKENS.user("alice", project);
        String vmId = VmIds.newVmId();
        Instant now = Instant.now();
        var spec = CreateRequestValidator.validate(JSON.readTree(Examples.SIMPLE), false).spec();
        try (StateStores stores = StateStores.connect(SharedInfra.redis().uri())) {
            var vm = new VmRecord(vmId, spec.name(), project, "alice", VmStatus.PENDING, null, null, null, spec, null,
                    1, VmEvent.version(1, VmEvent.Phase.ACCEPTED), VmIds.operationIdFor(vmId, 1),
                    now.plusSeconds(600), now, now);
            stores.vms().createPending(vm, new OperationRecord(vm.operationId(), vmId, project, "create", "pending",
                    null, null, now, now)).block(Duration.ofSeconds(10));
            stores.vms().apply(VmEvent.of(vmId, 1, VmEvent.Phase.FINAL, VmStatus.RUNNING, "sim-1", "test"))
                    .block(Duration.ofSeconds(10));
        }
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(CREATE_DEADLINE.plusSeconds(1)).build();
        String key = "stop-" + UUID.randomUUID();

        // When it is stopped with an Idempotency-Key, twice
        JsonNode[] answers = new JsonNode[2];
        for (int i = 0; i < 2; i++) {
            var response = client.post().uri("/api/v1/virtualization/virtualmachines/" + vmId + "/stop")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).header("Idempotency-Key", key).exchange();
            response.expectStatus().isEqualTo(503).expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5");
            answers[i] = JSON.readTree(response.expectBody().returnResult().getResponseBody());
        }

        // Then both answer KAFKA_UNAVAILABLE with the one operation of generation 2 (the retry began no other)
        assertThat(answers).allSatisfy(problem -> {
            assertThat(problem.get("code").stringValue()).isEqualTo("KAFKA_UNAVAILABLE");
            assertThat(problem.get("operation_id").stringValue()).isEqualTo(VmIds.operationIdFor(vmId, 2));
        });
        client.get().uri("/api/v1/virtualization/virtualmachines/" + vmId)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("stopping")
                .jsonPath("$.operation_id").isEqualTo(VmIds.operationIdFor(vmId, 2));
    }

    @Test
    void shouldStillAnswerHealthWhileKafkaIsAway() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build()
                .get().uri("/actuator/health").exchange().expectStatus().isOk();
    }
}
