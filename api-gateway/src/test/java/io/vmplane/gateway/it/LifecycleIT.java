package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.gateway.GatewayApplication;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.StateStores;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Listing, the life-cycle calls and operation waits, against a real Redis and a real Kafka. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LifecycleIT {

    private static final String VMS = "/api/v1/virtualization/virtualmachines";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Tokens TOKENS = Tokens.newSecret();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static CommandTopic topic;
    private static StateStores stores;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> raw;

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
    static void open() {
        topic = new CommandTopic(SharedInfra.kafka().bootstrapServers());
        stores = StateStores.connect(SharedInfra.redis().uri());
        rawClient = RedisClient.create(SharedInfra.redis().uri());
        raw = rawClient.connect();
    }

    @AfterAll
    static void close() {
        topic.close();
        stores.close();
        raw.close();
        rawClient.shutdown();
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20)).build();
        await().atMost(Duration.ofSeconds(30)).until(() -> !topic.partitions().isEmpty());
        topic.fromEnd();
    }

    // --- helpers ---

    private JsonNode json(WebTestClient.ResponseSpec response, HttpStatus status) {
        byte[] body = response.expectStatus().isEqualTo(status).expectBody().returnResult().getResponseBody();
        return JSON.readTree(body);
    }

    private JsonNode problem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        response.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response, status);
        assertThat(problem.get("code").stringValue()).isEqualTo(code);
        return problem;
    }

    private WebTestClient.ResponseSpec get(String token, String path) {
        return client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

    private WebTestClient.ResponseSpec post(String token, String path, String body, String key) {
        var request = client.post().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return body == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private WebTestClient.ResponseSpec delete(String token, String path, String key) {
        var request = client.delete().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.exchange();
    }

    private String create(String token) {
        return json(post(token, VMS + "/create-enhanced", Examples.SIMPLE, null), HttpStatus.ACCEPTED)
                .get("id").stringValue();
    }

    /** The outcome an agent would report: the VM's current generation ends with this status. */
    private void finish(String vmId, VmStatus status, String host) {
        long generation = stores.vms().get(vmId).block(TIMEOUT).generation();
        assertThat(stores.vms().apply(VmEvent.of(vmId, generation, Phase.FINAL, status, host, "test"))
                .block(TIMEOUT)).isTrue();
    }

    private String running(String token, String host) {
        String vmId = create(token);
        finish(vmId, VmStatus.RUNNING, host);
        return vmId;
    }

    /**
     * Every life-cycle command (not the create) on vm.commands.v1 for this VM read so far, once at least
     * {@code count} arrived.
     */
    private List<VmCommand> commands(String vmId, int count) {
        return await().atMost(Duration.ofSeconds(15))
                .until(() -> topic.recordsFor(vmId).stream()
                        .map(r -> Json.read(r.value(), VmCommand.class))
                        .filter(c -> !(c instanceof VmCommand.CreateVm))
                        .toList(), c -> c.size() >= count);
    }

    private String accepted(WebTestClient.ResponseSpec response) {
        JsonNode body = json(response, HttpStatus.ACCEPTED);
        String operationId = body.get("operation_id").stringValue();
        response.expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/operations/" + operationId);
        return operationId;
    }

    // --- tests ---

    @Test
    void shouldListTheProjectsVmsNewestFirstInPagesAndByFilter() {
        // Given three VMs of the project (one running on sim-1) and one of another project
        String token = TOKENS.user("alice", project);
        String first = create(token);
        String second = running(token, "sim-1");
        String third = create(token);
        String otherProject = "p-" + UUID.randomUUID();
        String foreign = create(TOKENS.user("mallory", otherProject));

        // When the user pages through two at a time
        JsonNode page1 = json(get(token, VMS + "?page_size=2"), HttpStatus.OK);
        String nextToken = page1.get("next_page_token").stringValue();
        JsonNode page2 = json(get(token, VMS + "?page_size=2&page_token=" + nextToken), HttpStatus.OK);

        // Then she sees her three VMs newest first, and no more
        List<String> ids = new ArrayList<>();
        page1.get("items").forEach(vm -> ids.add(vm.get("id").stringValue()));
        page2.get("items").forEach(vm -> ids.add(vm.get("id").stringValue()));
        assertThat(ids).containsExactly(third, second, first);
        assertThat(page2.has("next_page_token") && !page2.get("next_page_token").isNull()).isFalse();

        // and the filters select by status and by host
        JsonNode running = json(get(token, VMS + "?status=running"), HttpStatus.OK);
        assertThat(running.get("items")).extracting(vm -> vm.get("id").stringValue()).containsExactly(second);
        JsonNode onHost = json(get(token, VMS + "?host=sim-1"), HttpStatus.OK);
        assertThat(onHost.get("items")).extracting(vm -> vm.get("id").stringValue()).containsExactly(second);
        JsonNode pending = json(get(token, VMS + "?status=pending"), HttpStatus.OK);
        assertThat(pending.get("items")).extracting(vm -> vm.get("id").stringValue()).containsExactly(third, first);

        // and an admin may list a given project, or see every project's
        String admin = TOKENS.admin("root", "ops");
        JsonNode byProject = json(get(admin, VMS + "?project=" + project), HttpStatus.OK);
        assertThat(byProject.get("items")).extracting(vm -> vm.get("id").stringValue())
                .containsExactly(third, second, first);
        JsonNode everything = json(get(admin, VMS + "?page_size=200"), HttpStatus.OK);
        assertThat(everything.get("items")).extracting(vm -> vm.get("id").stringValue())
                .contains(foreign, third);
        // but the other project's user sees only hers, and may not name another project
        JsonNode theirs = json(get(TOKENS.user("mallory", otherProject), VMS), HttpStatus.OK);
        assertThat(theirs.get("items")).extracting(vm -> vm.get("id").stringValue()).containsExactly(foreign);
        problem(get(TOKENS.user("mallory", otherProject), VMS + "?project=" + project), HttpStatus.FORBIDDEN,
                "FORBIDDEN_FIELD");
    }

    @Test
    void shouldRejectBadListQueriesNamingTheParameter() {
        // Given
        String token = TOKENS.user("alice", project);

        // When / Then
        for (String query : List.of("page_size=0", "page_size=201", "page_size=x", "status=sleeping",
                "page_token=garbage", "host=..bad")) {
            JsonNode problem = problem(get(token, VMS + "?" + query), HttpStatus.BAD_REQUEST, "INVALID_QUERY");
            assertThat(problem.at("/errors/0/pointer").stringValue()).isEqualTo(query.substring(0,
                    query.indexOf('=')));
        }
    }

    @Test
    void shouldCarryAVmThroughStopStartRebootAndDeleteWithOneCommandEach() {
        // Given a running VM
        String token = TOKENS.user("alice", project);
        String vmId = running(token, "sim-1");
        String path = VMS + "/" + vmId;

        // When it is stopped (forced)
        String stopOp = accepted(post(token, path + "/stop", "{\"force\": true, \"graceful_timeout_seconds\": 30}",
                null));

        // Then the StopVm of generation 2 is on the topic, the VM is stopping and the operation pending
        var stop = (VmCommand.StopVm) commands(vmId, 1).get(0);
        assertThat(stop.generation()).isEqualTo(2);
        assertThat(stop.commandId()).isEqualTo(stopOp).isEqualTo(VmIds.operationIdFor(vmId, 2));
        assertThat(stop.operationId()).isEqualTo(stopOp);
        assertThat(stop.force()).isTrue();
        assertThat(stop.gracefulTimeoutSeconds()).isEqualTo(30);
        assertThat(stop.project()).isEqualTo(project);
        assertThat(stop.user()).isEqualTo("alice");
        assertThat(stop.deadline()).isAfter(stop.createdAt().plus(Duration.ofMinutes(4)));
        assertThat(json(get(token, path), HttpStatus.OK).get("status").stringValue()).isEqualTo("stopping");
        JsonNode op = json(get(token, "/api/v1/operations/" + stopOp), HttpStatus.OK);
        assertThat(op.get("kind").stringValue()).isEqualTo("stop");
        assertThat(op.get("state").stringValue()).isEqualTo("pending");
        // and nothing else may start while the stop runs
        JsonNode busy = problem(post(token, path + "/stop", null, null), HttpStatus.CONFLICT,
                "OPERATION_IN_PROGRESS");
        assertThat(busy.get("operation_id").stringValue()).isEqualTo(stopOp);
        problem(delete(token, path, null), HttpStatus.CONFLICT, "OPERATION_IN_PROGRESS");

        // When the host reports it stopped
        finish(vmId, VmStatus.STOPPED, null);

        // Then reboot and stop are refused naming the status, and start is accepted
        JsonNode invalid = problem(post(token, path + "/reboot", null, null), HttpStatus.CONFLICT, "INVALID_STATE");
        assertThat(invalid.get("vm_status").stringValue()).isEqualTo("stopped");
        problem(post(token, path + "/stop", null, null), HttpStatus.CONFLICT, "INVALID_STATE");
        String startOp = accepted(post(token, path + "/start", null, null));
        var start = (VmCommand.StartVm) commands(vmId, 2).get(1);
        assertThat(start.generation()).isEqualTo(3);
        assertThat(start.commandId()).isEqualTo(startOp);
        problem(post(token, path + "/start", null, null), HttpStatus.CONFLICT, "OPERATION_IN_PROGRESS");
        finish(vmId, VmStatus.RUNNING, null);
        assertThat(json(get(token, "/api/v1/operations/" + startOp), HttpStatus.OK).get("state").stringValue())
                .isEqualTo("succeeded");

        // When it is rebooted
        String rebootOp = accepted(post(token, path + "/reboot", null, null));
        var reboot = (VmCommand.RebootVm) commands(vmId, 3).get(2);
        assertThat(reboot.generation()).isEqualTo(4);
        assertThat(reboot.commandId()).isEqualTo(rebootOp);
        assertThat(json(get(token, path), HttpStatus.OK).get("status").stringValue()).isEqualTo("running");
        problem(post(token, path + "/start", null, null), HttpStatus.CONFLICT, "OPERATION_IN_PROGRESS");
        finish(vmId, VmStatus.RUNNING, null);

        // When it is deleted with its volumes
        String deleteOp = accepted(delete(token, path + "?delete_volumes=true", null));
        var delete = (VmCommand.DeleteVm) commands(vmId, 4).get(3);
        assertThat(delete.generation()).isEqualTo(5);
        assertThat(delete.commandId()).isEqualTo(deleteOp);
        assertThat(delete.deleteVolumes()).isTrue();
        assertThat(json(get(token, path), HttpStatus.OK).get("status").stringValue()).isEqualTo("deleting");
        finish(vmId, VmStatus.DELETED, null);

        // Then the VM is gone from GET and the list, and its operation says succeeded
        problem(get(token, path), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        assertThat(json(get(token, VMS), HttpStatus.OK).get("items")).isEmpty();
        assertThat(json(get(token, "/api/v1/operations/" + deleteOp), HttpStatus.OK).get("state").stringValue())
                .isEqualTo("succeeded");
        problem(delete(token, path, null), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
    }

    @Test
    void shouldLetAForcedStopOrADeleteReplaceAGracefulStopThatHasNotEnded() {
        // Given two running VMs, each with a graceful stop in progress (their guests ignore ACPI)
        String token = TOKENS.user("ann", project);
        String first = running(token, "sim-1");
        String second = running(token, "sim-1");
        String firstStop = accepted(post(token, VMS + "/" + first + "/stop", null, null));
        String secondStop = accepted(post(token, VMS + "/" + second + "/stop", "{\"graceful_timeout_seconds\": 300}",
                null));

        // When a reboot, then a forced stop, comes for the first, and a delete for the second
        problem(post(token, VMS + "/" + first + "/reboot", null, null), HttpStatus.CONFLICT, "OPERATION_IN_PROGRESS");
        String forced = accepted(post(token, VMS + "/" + first + "/stop", "{\"force\": true}", null));
        String deleted = accepted(delete(token, VMS + "/" + second, null));

        // Then each replaced stop reads cancelled, and the new operations are those of the next generation
        for (String replaced : List.of(firstStop, secondStop)) {
            JsonNode op = json(get(token, "/api/v1/operations/" + replaced), HttpStatus.OK);
            assertThat(op.get("state").stringValue()).isEqualTo("cancelled");
            assertThat(op.get("steps").get(op.get("steps").size() - 1).get("name").stringValue())
                    .isEqualTo("cancelled");
        }
        assertThat(forced).isEqualTo(VmIds.operationIdFor(first, 3));
        assertThat(deleted).isEqualTo(VmIds.operationIdFor(second, 3));
        var forcedStop = (VmCommand.StopVm) commands(first, 2).get(1);
        assertThat(forcedStop.force()).isTrue();
        assertThat(forcedStop.generation()).isEqualTo(3);
        // and a forced stop in progress is not replaced by a delete
        problem(delete(token, VMS + "/" + first, null), HttpStatus.CONFLICT, "OPERATION_IN_PROGRESS");
    }

    @Test
    void shouldRefuseACreateRetriedWithTheKeyOfADeletedVmAndPublishNothing() {
        // Given a VM created with a key, run, then deleted
        String token = TOKENS.user("alice", project);
        String key = "create-" + UUID.randomUUID();
        String vmId = json(post(token, VMS + "/create-enhanced", Examples.SIMPLE, key), HttpStatus.ACCEPTED)
                .get("id").stringValue();
        finish(vmId, VmStatus.RUNNING, "sim-1");
        accepted(delete(token, VMS + "/" + vmId, null));
        finish(vmId, VmStatus.DELETED, null);
        await().atMost(Duration.ofSeconds(15)).until(() -> creates(vmId), n -> n == 1);

        // When the create is retried with the same key and body
        JsonNode refused = problem(post(token, VMS + "/create-enhanced", Examples.SIMPLE, key), HttpStatus.CONFLICT,
                "VM_DELETED");

        // Then it names the deleted VM, which stays deleted, and no create command was published again
        assertThat(refused.get("vm_id").stringValue()).isEqualTo(vmId);
        problem(get(token, VMS + "/" + vmId), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> creates(vmId), n -> n == 1);
    }

    private long creates(String vmId) {
        return topic.recordsFor(vmId).stream()
                .filter(r -> Json.read(r.value(), VmCommand.class) instanceof VmCommand.CreateVm).count();
    }

    @Test
    void shouldRefuseLifecycleCallsOnAnotherProjectsVmAsNotFound() {
        // Given a running VM of another project
        String vmId = running(TOKENS.user("mallory", "p-" + UUID.randomUUID()), "sim-1");
        String token = TOKENS.user("alice", project);

        // When / Then
        problem(post(token, VMS + "/" + vmId + "/stop", null, null), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        problem(delete(token, VMS + "/" + vmId, null), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        problem(delete(token, VMS + "/" + vmId + "?delete_volumes=maybe", null), HttpStatus.BAD_REQUEST,
                "INVALID_QUERY");
        problem(post(token, VMS + "/" + vmId + "/stop", "{\"graceful_timeout_seconds\": 0}", null),
                HttpStatus.BAD_REQUEST, "VALIDATION_FAILED");
    }

    @Test
    void shouldAnswerTheSameOperationToARetriedLifecycleCallAndRefuseTheKeyWithOtherParameters() {
        // Given a running VM and a stop with an Idempotency-Key
        String token = TOKENS.user("alice", project);
        String vmId = running(token, "sim-1");
        String key = "stop-" + UUID.randomUUID();
        String first = accepted(post(token, VMS + "/" + vmId + "/stop", null, key));

        // When the same stop is retried with the key
        String retried = accepted(post(token, VMS + "/" + vmId + "/stop", null, key));

        // Then it is the same operation, the generation moved once, and the same command was published again
        assertThat(retried).isEqualTo(first);
        assertThat(stores.vms().get(vmId).block(TIMEOUT).generation()).isEqualTo(2);
        List<VmCommand> commands = commands(vmId, 2);
        assertThat(commands).extracting(VmCommand::commandId).containsOnly(first);
        assertThat(commands).extracting(VmCommand::generation).containsOnly(2L);

        // and the key with other parameters, or another action, is refused
        problem(post(token, VMS + "/" + vmId + "/stop", "{\"force\": true}", key),
                HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED");
        problem(post(token, VMS + "/" + vmId + "/reboot", null, key),
                HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED");
    }

    @Test
    void shouldReturnFromWaitAsSoonAsTheOperationEnds() {
        // Given a stop in progress and a client waiting for it (up to a minute)
        String token = TOKENS.user("alice", project);
        String vmId = running(token, "sim-1");
        String op = accepted(post(token, VMS + "/" + vmId + "/stop", null, null));
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> json(get(token, "/api/v1/operations/" + op + "/wait?timeout=60"), HttpStatus.OK));

        // When the stop fails on the host while the VM keeps running
        await().atMost(TIMEOUT).until(() -> stores.vms().get(vmId).block(TIMEOUT).status() == VmStatus.STOPPING);
        var failedStop = new VmEvent(vmId, 2, VmEvent.version(2, Phase.FINAL), VmStatus.RUNNING, "sim-1",
                FailureCode.LIBVIRT_ERROR, "the guest ignored the shutdown", null, null, "test");
        stores.vms().apply(failedStop).block(TIMEOUT);

        // Then the wait answers (well before its minute: the client gives up after 20 s) with the failure
        JsonNode ended = waiting.join();
        assertThat(ended.get("state").stringValue()).isEqualTo("failed");
        assertThat(ended.at("/error/code").stringValue()).isEqualTo("LIBVIRT_ERROR");
        assertThat(json(get(token, VMS + "/" + vmId), HttpStatus.OK).get("status").stringValue())
                .isEqualTo("running");
    }

    @Test
    void shouldAnswerTheCurrentStateWhenTheWaitTimesOut() {
        // Given a create still pending
        String token = TOKENS.user("alice", project);
        String vmId = create(token);
        String op = VmIds.operationIdFor(vmId, 1);

        // When the client waits a second
        JsonNode answer = json(get(token, "/api/v1/operations/" + op + "/wait?timeout=1"), HttpStatus.OK);

        // Then the operation is answered as it is: pending
        assertThat(answer.get("state").stringValue()).isEqualTo("pending");
        assertThat(answer.get("id").stringValue()).isEqualTo(op);
        // and a timeout out of range is refused, and another project's operation is not found
        JsonNode bad = problem(get(token, "/api/v1/operations/" + op + "/wait?timeout=61"), HttpStatus.BAD_REQUEST,
                "INVALID_QUERY");
        assertThat(bad.at("/errors/0/pointer").stringValue()).isEqualTo("timeout");
        problem(get(TOKENS.user("mallory", "p-" + UUID.randomUUID()), "/api/v1/operations/" + op + "/wait?timeout=0"),
                HttpStatus.NOT_FOUND, "OPERATION_NOT_FOUND");
    }

    @Test
    void shouldKeepAnEndedOperationForTheRetention() {
        // Given
        String token = TOKENS.user("alice", project);
        String vmId = create(token);
        String op = VmIds.operationIdFor(vmId, 1);

        // When its create ends
        finish(vmId, VmStatus.RUNNING, "sim-1");

        // Then the operation hash expires after (at most) the default retention of 7 days, and reads now
        long ttl = raw.sync().pttl("vmplane:op:" + op);
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofDays(7).toMillis());
        assertThat(json(get(token, "/api/v1/operations/" + op), HttpStatus.OK).get("state").stringValue())
                .isEqualTo("succeeded");
    }
}
