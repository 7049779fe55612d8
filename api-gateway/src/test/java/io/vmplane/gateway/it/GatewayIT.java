package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.vmplane.gateway.GatewayApplication;
import io.vmplane.gateway.vm.CreateRequestValidator;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.store.Claim;
import io.vmplane.store.StateStores;
import io.vmplane.testsupport.SharedInfra;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway against a real Redis and a real Kafka, over HTTP on a random port. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayIT {

    private static final String CREATE = "/api/v1/virtualization/virtualmachines/create-enhanced";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Tokens TOKENS = Tokens.newSecret();

    private static CommandTopic topic;

    @LocalServerPort
    int port;

    private WebTestClient client;
    private final String project = "p-" + UUID.randomUUID();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
    }

    @BeforeAll
    static void openTopic() {
        topic = new CommandTopic(SharedInfra.kafka().bootstrapServers());
    }

    @AfterAll
    static void closeTopic() {
        topic.close();
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(15)).build();
        // The gateway creates the topic in the background at start.
        await().atMost(Duration.ofSeconds(30)).until(() -> !topic.partitions().isEmpty());
        topic.fromEnd();
    }

    private WebTestClient.ResponseSpec create(String token, String body, String idempotencyKey) {
        var request = client.post().uri(CREATE).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.bodyValue(body).exchange();
    }

    private JsonNode json(WebTestClient.ResponseSpec response, HttpStatus status) {
        byte[] body = response.expectStatus().isEqualTo(status).expectBody().returnResult().getResponseBody();
        return JSON.readTree(body);
    }

    private JsonNode problem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        response.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response, status);
        assertThat(problem.get("status").asInt()).isEqualTo(status.value());
        assertThat(problem.get("code").stringValue()).isEqualTo(code);
        assertThat(problem.get("type").stringValue()).startsWith("urn:vmplane:problem:");
        assertThat(problem.get("title").stringValue()).isNotBlank();
        assertThat(problem.get("detail").stringValue()).isNotBlank();
        return problem;
    }

    private JsonNode get(String token, String path, HttpStatus status) {
        return json(client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(), status);
    }

    private ConsumerRecord<String, byte[]> awaitCommand(String vmId) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> topic.recordsFor(vmId), r -> !r.isEmpty()).get(0);
    }

    @Test
    void shouldAcceptCreatePublishTheCommandAndShowThePendingVm() {
        // Given a user of a project
        String token = TOKENS.user("alice", project);
        // When she creates the seed's first VM
        var response = create(token, Examples.SIMPLE, null);
        // Then the answer is 202 with the ids and the operation's location
        JsonNode accepted = json(response, HttpStatus.ACCEPTED);
        String vmId = accepted.get("id").stringValue();
        String operationId = accepted.get("operation_id").stringValue();
        assertThat(vmId).matches(VmIds.VM_ID);
        assertThat(accepted.get("status").stringValue()).isEqualTo("pending");
        assertThat(operationId).isEqualTo(VmIds.operationIdFor(vmId, 1));
        response.expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/operations/" + operationId);

        // and the CreateVm command is on vm.commands.v1, keyed by the VM id
        ConsumerRecord<String, byte[]> record = awaitCommand(vmId);
        var command = (VmCommand.CreateVm) Json.read(record.value(), VmCommand.class);
        assertThat(record.topic()).isEqualTo(Topics.VM_COMMANDS);
        assertThat(command.commandId()).isEqualTo(operationId);
        assertThat(command.vmId()).isEqualTo(vmId);
        assertThat(command.generation()).isEqualTo(1);
        assertThat(command.operationId()).isEqualTo(operationId);
        assertThat(command.project()).isEqualTo(project);
        assertThat(command.user()).isEqualTo("alice");
        assertThat(command.spec()).isEqualTo(CreateRequestValidator.validate(JSON.readTree(Examples.SIMPLE), false)
                .spec());
        assertThat(command.deadline()).isAfter(command.createdAt().plus(Duration.ofMinutes(9)));

        // and a GET right after shows the VM pending, and the operation pending
        JsonNode vm = get(token, "/api/v1/virtualization/virtualmachines/" + vmId, HttpStatus.OK);
        assertThat(vm.get("status").stringValue()).isEqualTo("pending");
        assertThat(vm.get("name").stringValue()).isEqualTo("test-vm");
        assertThat(vm.get("project").stringValue()).isEqualTo(project);
        assertThat(vm.get("memory").asInt()).isEqualTo(4096);
        assertThat(vm.get("vcpus").asInt()).isEqualTo(2);
        assertThat(vm.at("/storage/disks/0/pool").stringValue()).isEqualTo("default");
        assertThat(vm.at("/storage/disks/0/format").stringValue()).isEqualTo("qcow2");
        assertThat(vm.at("/graphics/type").stringValue()).isEqualTo("vnc");
        assertThat(vm.has("domain_xml")).isFalse();
        assertThat(vm.has("created_at")).isTrue();
        JsonNode operation = get(token, "/api/v1/operations/" + operationId, HttpStatus.OK);
        assertThat(operation.get("vm_id").stringValue()).isEqualTo(vmId);
        assertThat(operation.get("kind").stringValue()).isEqualTo("create");
        assertThat(operation.get("state").stringValue()).isEqualTo("pending");
        assertThat(operation.get("steps")).hasSize(1);
        assertThat(operation.get("steps").get(0).get("name").stringValue()).isEqualTo("accepted");
        assertThat(operation.get("steps").get(0).get("state").stringValue()).isEqualTo("pending");
        assertThat(operation.get("steps").get(0).has("at")).isTrue();
    }

    @Test
    void shouldRejectInvalidBodiesWithoutRecordingOrPublishingAnything() {
        // Given the topic's end offsets and an idempotency key
        String token = TOKENS.user("bob", project);
        String key = "invalid-" + UUID.randomUUID();
        Map<TopicPartition, Long> before = topic.endOffsets();
        // When invalid bodies are sent
        JsonNode removed = problem(create(token, """
                {"name": "old", "memory": 1024, "vcpus": 1, "storage_pool": "default", "iso_path": "/isos/a.iso",
                 "disks": [{"size": 10}], "storage": {"default_pool": "default", "disks": []}}""", key),
                HttpStatus.BAD_REQUEST, "REMOVED_FIELD");
        JsonNode unknown = problem(create(token, Examples.SIMPLE.replace("\"size\": 20", "\"size\": 20, \"x\": 1"),
                key), HttpStatus.BAD_REQUEST, "UNKNOWN_FIELD");
        JsonNode typed = problem(create(token, Examples.SIMPLE.replace("\"size\": 20", "\"size\": \"20\""), key),
                HttpStatus.BAD_REQUEST, "VALIDATION_FAILED");
        problem(create(token, "{\"name\": \"vm\", \"memory\": 40", key), HttpStatus.BAD_REQUEST, "MALFORMED_JSON");
        problem(create(token, Examples.SIMPLE.replace("}}", "}, \"placement\": {\"host\": \"qemu-1\"}}"), key),
                HttpStatus.FORBIDDEN, "FORBIDDEN_FIELD");
        // Then each names its pointers, the topic did not grow and no VM exists under the key's id
        assertThat(removed.get("errors")).extracting(e -> e.get("pointer").stringValue())
                .containsExactlyInAnyOrder("/storage_pool", "/iso_path", "/disks", "/storage/disks");
        assertThat(unknown.at("/errors/0/pointer").stringValue()).isEqualTo("/storage/disks/0/x");
        assertThat(typed.at("/errors/0/pointer").stringValue()).isEqualTo("/storage/disks/0/size");
        assertThat(typed.at("/errors/0/code").stringValue()).isEqualTo("INVALID_TYPE");
        assertThat(topic.endOffsets()).isEqualTo(before);
        problem(client.get().uri("/api/v1/virtualization/virtualmachines/" + VmIds.vmIdFor(project, key))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
    }

    @Test
    void shouldConvergeOnTheSameVmForTheSameIdempotencyKeyAndRefuseItsReuse() {
        // Given a create with an Idempotency-Key
        String token = TOKENS.user("carol", project);
        String key = "key-" + UUID.randomUUID();
        JsonNode first = json(create(token, Examples.GPU, key), HttpStatus.ACCEPTED);
        // When the same request is sent again, with its members in another order
        JsonNode second = json(create(token, """
                {"graphics": {"type": "vnc"}, "pci_devices": [{"product_id": "1eb8", "vendor_id": "10de"}],
                 "storage": {"disks": [{"size": 40, "action": "create"}], "boot_iso": "ubuntu.iso",
                 "default_pool": "default"}, "vcpus": 4, "memory": 8192, "name": "gpu-vm"}""", key),
                HttpStatus.ACCEPTED);
        // Then both answers carry the same ids, derived from the project and key
        assertThat(second.get("id")).isEqualTo(first.get("id"));
        assertThat(second.get("operation_id")).isEqualTo(first.get("operation_id"));
        assertThat(first.get("id").stringValue()).isEqualTo(VmIds.vmIdFor(project, key));
        // and the same command was published twice, byte for byte
        String vmId = first.get("id").stringValue();
        List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(15))
                .until(() -> topic.recordsFor(vmId), r -> r.size() == 2);
        assertThat(records.get(1).value()).isEqualTo(records.get(0).value());
        // and a different body under the same key is refused
        problem(create(token, Examples.SIMPLE, key), HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED");
    }

    @Test
    void shouldRefuseBadIdempotencyKeys() {
        String token = TOKENS.user("carol", project);
        problem(create(token, Examples.SIMPLE, "x".repeat(256)), HttpStatus.BAD_REQUEST, "INVALID_IDEMPOTENCY_KEY");
        problem(create(token, Examples.SIMPLE, "tab\tkey"), HttpStatus.BAD_REQUEST, "INVALID_IDEMPOTENCY_KEY");
    }

    @Test
    void shouldHideVmsAndOperationsOfOtherProjectsFromNonAdmins() {
        // Given a VM of one project
        JsonNode accepted = json(create(TOKENS.user("dave", project), Examples.MULTI_DISK, null),
                HttpStatus.ACCEPTED);
        String vmPath = "/api/v1/virtualization/virtualmachines/" + accepted.get("id").stringValue();
        String operationPath = "/api/v1/operations/" + accepted.get("operation_id").stringValue();
        String other = TOKENS.user("eve", "other-" + UUID.randomUUID());
        // When a user of another project asks for it
        // Then it is not found, exactly like an unknown VM
        JsonNode hidden = problem(client.get().uri(vmPath).header(HttpHeaders.AUTHORIZATION, "Bearer " + other)
                .exchange(), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        JsonNode unknown = problem(client.get().uri("/api/v1/virtualization/virtualmachines/" + VmIds.newVmId())
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + other).exchange(), HttpStatus.NOT_FOUND,
                "VM_NOT_FOUND");
        assertThat(hidden).isEqualTo(unknown);
        problem(client.get().uri(operationPath).header(HttpHeaders.AUTHORIZATION, "Bearer " + other).exchange(),
                HttpStatus.NOT_FOUND, "OPERATION_NOT_FOUND");
        problem(client.get().uri("/api/v1/virtualization/virtualmachines/not-a-vm-id")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + other).exchange(), HttpStatus.NOT_FOUND,
                "VM_NOT_FOUND");
        // and an admin of another project sees both
        String admin = TOKENS.admin("ops", "ops-" + UUID.randomUUID());
        assertThat(get(admin, vmPath, HttpStatus.OK).get("project").stringValue()).isEqualTo(project);
        assertThat(get(admin, operationPath, HttpStatus.OK).get("state").stringValue()).isEqualTo("pending");
    }

    @Test
    void shouldLetAdminsSetGraphicsListenAndPort() {
        String admin = TOKENS.admin("root", project);
        JsonNode accepted = json(create(admin, Examples.SIMPLE.replace("}}",
                "}, \"graphics\": {\"type\": \"vnc\", \"listen\": \"127.0.0.1\", \"port\": 5999}}"), null),
                HttpStatus.ACCEPTED);
        JsonNode vm = get(admin, "/api/v1/virtualization/virtualmachines/" + accepted.get("id").stringValue(),
                HttpStatus.OK);
        assertThat(vm.at("/graphics/port").asInt()).isEqualTo(5999);
        assertThat(vm.at("/graphics/listen").stringValue()).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldListHostsForAdminsOnlyWithFreeCapacityFromTheLedger() {
        // Given a host in the registry with a claim on it
        String hostId = "it-" + UUID.randomUUID();
        try (StateStores stores = StateStores.connect(SharedInfra.redis().uri())) {
            var inventory = new HostInventory(hostId, "test", "127.0.0.1", false, 32, 65536,
                    List.of(new HostInventory.Pool("default", true, 100L << 30, 90L << 30, List.of("ubuntu.iso"))),
                    List.of(new HostInventory.PciDevice("0000:3b:00.0", "10de", "1eb8", 30, false)), Instant.now());
            stores.hosts().putInventory(inventory, 128, 65536).block();
            stores.hosts().heartbeat(new HostHeartbeat(hostId, HostHeartbeat.HostStatus.UP, Instant.now())).block();
            stores.ledger().claim(new Claim("vm-" + UUID.randomUUID(), hostId, 4, 8192, List.of("0000:3b:00.0"),
                    Map.of("default", 20L << 30)), 128, 65536, Map.of("default", 90L << 30)).block();
        }
        // When a non-admin lists the hosts
        problem(client.get().uri("/api/v1/virtualization/hosts")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKENS.user("frank", project)).exchange(),
                HttpStatus.FORBIDDEN, "ADMIN_REQUIRED");
        // and an admin does
        JsonNode hosts = get(TOKENS.admin("root", project), "/api/v1/virtualization/hosts", HttpStatus.OK);
        // Then only the admin sees it, with free = limit − claims
        JsonNode host = null;
        for (JsonNode item : hosts.get("items")) {
            if (hostId.equals(item.get("id").stringValue())) {
                host = item;
            }
        }
        assertThat(host).isNotNull();
        assertThat(host.get("hypervisor").stringValue()).isEqualTo("test");
        assertThat(host.get("status").stringValue()).isEqualTo("up");
        assertThat(host.get("console_address").stringValue()).isEqualTo("127.0.0.1");
        assertThat(host.at("/vcpus/total").asInt()).isEqualTo(32);
        assertThat(host.at("/vcpus/free").asInt()).isEqualTo(124);
        assertThat(host.at("/memory/total_mib").asLong()).isEqualTo(65536);
        assertThat(host.at("/memory/free_mib").asLong()).isEqualTo(57344);
        assertThat(host.at("/storage_pools/0/capacity_gib").asLong()).isEqualTo(100);
        assertThat(host.at("/storage_pools/0/free_gib").asLong()).isEqualTo(70);
        assertThat(host.at("/pci_devices/0/in_use").asBoolean()).isTrue();
        assertThat(host.at("/pci_devices/0/iommu_group").asInt()).isEqualTo(30);
    }

    @Test
    void shouldAnswerProblemsForMissingAndBadTokens() {
        problem(client.get().uri("/api/v1/virtualization/hosts").exchange(), HttpStatus.UNAUTHORIZED,
                "UNAUTHENTICATED");
        problem(client.post().uri(CREATE).contentType(MediaType.APPLICATION_JSON).bodyValue(Examples.SIMPLE)
                .exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED");
        problem(client.get().uri("/api/v1/virtualization/hosts").header(HttpHeaders.AUTHORIZATION, "Bearer x.y.z")
                .exchange(), HttpStatus.UNAUTHORIZED, "INVALID_TOKEN");
        String forged = Tokens.newSecret().admin("mallory", project);
        problem(client.get().uri("/api/v1/virtualization/hosts").header(HttpHeaders.AUTHORIZATION, "Bearer " + forged)
                .exchange(), HttpStatus.UNAUTHORIZED, "INVALID_TOKEN");
        String noProject = TOKENS.mint("nobody", null, List.of());
        problem(client.get().uri("/api/v1/virtualization/hosts")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + noProject).exchange(), HttpStatus.UNAUTHORIZED,
                "INVALID_TOKEN");
        for (String refused : List.of(TOKENS.mintWithoutExpiry("nobody", project),
                TOKENS.mint("nobody", "../x", List.of()), TOKENS.mint("no body", project, List.of()))) {
            problem(client.get().uri("/api/v1/virtualization/hosts")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + refused).exchange(), HttpStatus.UNAUTHORIZED,
                    "INVALID_TOKEN");
        }
    }

    @Test
    void shouldAnswerProblemsForProtocolErrors() {
        String token = TOKENS.user("gina", project);
        problem(client.post().uri(CREATE).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.TEXT_PLAIN).bodyValue(Examples.SIMPLE).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
        String large = Examples.SIMPLE.replace("\"test-vm\"", "\"test-vm\", \"pad\": \"" + "x".repeat(70_000) + "\"");
        problem(create(token, large, null), HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE");
        problem(client.put().uri(CREATE).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Examples.SIMPLE).exchange(),
                HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
        // create-enhanced is no VM id: another method on it is a 405 naming POST, not VM_NOT_FOUND
        client.get().uri(CREATE).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectHeader().valueEquals(HttpHeaders.ALLOW, "POST");
        problem(client.get().uri(CREATE).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(),
                HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
        problem(client.delete().uri(CREATE).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(),
                HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
        problem(client.get().uri("/api/v1/no/such/thing").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .exchange(), HttpStatus.NOT_FOUND, "NOT_FOUND");
        problem(client.get().uri("/outside/the/base/path").exchange(), HttpStatus.NOT_FOUND, "NOT_FOUND");
        // paths the security firewall refuses (an encoded slash, a '..' segment), with and without a token
        for (String path : List.of("/api/v1/virtualization/virtualmachines/vm-1%2F..%2Fhosts",
                "/api/v1/virtualization/virtualmachines/vm-1%2fx", "/api/v1/virtualization/../hosts")) {
            problem(client.get().uri(URI.create("http://127.0.0.1:" + port + path))
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(), HttpStatus.BAD_REQUEST,
                    "REQUEST_REJECTED");
            problem(client.get().uri(URI.create("http://127.0.0.1:" + port + path)).exchange(),
                    HttpStatus.BAD_REQUEST, "REQUEST_REJECTED");
        }
    }

    @Test
    void shouldServeTheOpenApiDocumentAndHealthWithoutAToken() throws Exception {
        byte[] expected = new ClassPathResource("openapi/openapi.yaml").getContentAsByteArray();
        byte[] yaml = client.get().uri("/api/v1/openapi.yaml").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        assertThat(new String(yaml, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        JsonNode json = json(client.get().uri("/api/v1/openapi.json").exchange(), HttpStatus.OK);
        assertThat(json.get("openapi").stringValue()).startsWith("3.0.");
        assertThat(json.at("/components/schemas/VMCreateRequestEnhancedV2")).isNotNull();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
