package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.store.StateStores;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Every exchange with the running gateway judged by the OpenAPI document: the successful ones (create, read VM,
 * read operation, hosts) and every documented error status of them. A request the suite sends deliberately wrong
 * must be one the document refuses too, for the stated reason; every response must be one the document describes.
 */
class ExchangeContractIT extends RunningGateway {

    private final String project = "contract-" + UUID.randomUUID();

    @AfterAll
    static void report() {
        System.out.println("[contract] exchanges validated against the OpenAPI document so far: "
                + ContractClient.validatedExchanges());
    }

    private Exchange accepted(String token, String body, String idempotencyKey) {
        Call call = Call.postJson(CREATE, body).bearer(token);
        if (idempotencyKey != null) {
            call = call.header("Idempotency-Key", idempotencyKey);
        }
        Exchange exchange = api.conforming(call);
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(202);
        return exchange;
    }

    private static JsonNode problem(Exchange exchange, int status, String code) {
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(status);
        assertThat(exchange.contentType()).as(exchange.describe()).startsWith("application/problem+json");
        JsonNode problem = exchange.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("code").stringValue()).isEqualTo(code);
        return problem;
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "gpu", "multi-disk"})
    void shouldCreateReadTheVmAndItsOperationAsTheDocumentDescribes(String example) {
        // Given a user and one of the seed's create requests
        String token = TOKENS.user("alice", project);
        String body = switch (example) {
            case "simple" -> Examples.SIMPLE;
            case "gpu" -> Examples.GPU;
            default -> Examples.MULTI_DISK;
        };
        // When she creates it, then reads the VM and the operation
        Exchange created = accepted(token, body, "contract-" + UUID.randomUUID());
        String vmId = created.json().get("id").stringValue();
        String operationId = created.json().get("operation_id").stringValue();
        Exchange vm = api.conforming(Call.get(VMS + "/" + vmId).bearer(token));
        Exchange operation = api.conforming(Call.get(OPERATIONS + "/" + operationId).bearer(token));
        // Then each answer is the documented 200/202 with a body of its schema
        assertThat(created.headers().get("location")).containsExactly("/api/v1/operations/" + operationId);
        assertThat(vm.status()).as(vm.describe()).isEqualTo(200);
        assertThat(vm.json().get("id").stringValue()).isEqualTo(vmId);
        assertThat(operation.status()).as(operation.describe()).isEqualTo(200);
        assertThat(operation.json().get("vm_id").stringValue()).isEqualTo(vmId);
    }

    @Test
    void shouldShowAdminsTheVmAndItsOperationAsTheDocumentDescribes() {
        // Given a VM created by an admin with the admin-only fields
        String admin = TOKENS.admin("root", project);
        Exchange created = accepted(admin, Examples.SIMPLE.replace("}}",
                "}, \"graphics\": {\"type\": \"vnc\", \"listen\": \"127.0.0.1\", \"port\": 5999}}"), null);
        // When an admin of another project reads it
        String otherAdmin = TOKENS.admin("ops", "ops-" + UUID.randomUUID());
        Exchange vm = api.conforming(Call.get(VMS + "/" + created.json().get("id").stringValue()).bearer(otherAdmin));
        Exchange operation = api.conforming(Call.get(OPERATIONS + "/"
                + created.json().get("operation_id").stringValue()).bearer(otherAdmin));
        // Then both answers are 200 and of their schemas
        assertThat(vm.status()).isEqualTo(200);
        assertThat(vm.json().at("/graphics/port").asInt()).isEqualTo(5999);
        assertThat(operation.status()).isEqualTo(200);
    }

    @Test
    void shouldListHostsForAdminsAsTheDocumentDescribes() {
        // Given a host in the registry
        String hostId = "contract-" + UUID.randomUUID();
        try (StateStores stores = StateStores.connect(SharedInfra.redis().uri())) {
            var inventory = new HostInventory(hostId, "test", "127.0.0.1", true, 32, 65536,
                    List.of(new HostInventory.Pool("default", true, 100L << 30, 90L << 30, List.of("ubuntu.iso"))),
                    List.of(new HostInventory.PciDevice("0000:3b:00.0", "10de", "1eb8", 30, false)), Instant.now());
            stores.hosts().putInventory(inventory, 128, 65536).block();
            stores.hosts().heartbeat(new HostHeartbeat(hostId, HostHeartbeat.HostStatus.UP, Instant.now())).block();
        }
        // When an admin lists the hosts
        Exchange hosts = api.conforming(Call.get(HOSTS).bearer(TOKENS.admin("root", project)));
        // Then the list is 200 and of the HostList schema, with the host in it
        assertThat(hosts.status()).isEqualTo(200);
        assertThat(hosts.json().get("items").valueStream().map(h -> h.get("id").stringValue()))
                .contains(hostId);
    }

    @Test
    void shouldAnswer400ProblemsTheDocumentDescribesToBodiesTheDocumentRefuses() {
        String token = TOKENS.user("bob", project);
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE.replace("\"size\": 20", "\"size\": 20, \"x\": 1"))
                .bearer(token), "validation.request.body.schema.additionalProperties"), 400, "UNKNOWN_FIELD");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE.replace("}}",
                "}, \"storage_pool\": \"default\"}")).bearer(token),
                "validation.request.body.schema.additionalProperties"), 400, "REMOVED_FIELD");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE.replace("\"size\": 20", "\"size\": \"20\""))
                .bearer(token), "validation.request.body.schema.type"), 400, "VALIDATION_FAILED");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE.replace("4096", "64")).bearer(token),
                "validation.request.body.schema.minimum"), 400, "VALIDATION_FAILED");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE.replace("ubuntu.iso", "/isos/ubuntu.iso"))
                .bearer(token), "validation.request.body.schema.pattern"), 400, "VALIDATION_FAILED");
        problem(api.refused(Call.postJson(CREATE, "{\"name\": \"vm\", \"memory\": 40").bearer(token),
                "validation.request.body"), 400, "MALFORMED_JSON");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE).bearer(token)
                .header("Idempotency-Key", "x".repeat(256)), "validation.request.parameter"), 400,
                "INVALID_IDEMPOTENCY_KEY");
    }

    @Test
    void shouldServeTheDocumentItselfWithoutATokenAsTheDocumentDescribes() {
        Exchange yaml = api.conforming(Call.get("/api/v1/openapi.yaml"));
        Exchange json = api.conforming(Call.get("/api/v1/openapi.json"));
        assertThat(yaml.status()).as(yaml.describe()).isEqualTo(200);
        assertThat(yaml.text()).isEqualTo(OpenApiContract.get().yaml());
        assertThat(json.status()).as(json.describe()).isEqualTo(200);
        assertThat(json.json().get("openapi").stringValue()).startsWith("3.0.");
    }

    @Test
    void shouldAnswer401ProblemsTheDocumentDescribes() {
        // Without a token the document refuses the request too; with a bad one it cannot tell
        problem(api.refused(Call.get(HOSTS), "validation.request.security"), 401, "UNAUTHENTICATED");
        problem(api.refused(Call.postJson(CREATE, Examples.SIMPLE), "validation.request.security"), 401,
                "UNAUTHENTICATED");
        problem(api.refused(Call.get(VMS + "/" + VmIds.newVmId()), "validation.request.security"), 401,
                "UNAUTHENTICATED");
        problem(api.conforming(Call.get(HOSTS).bearer("x.y.z")), 401, "INVALID_TOKEN");
        problem(api.conforming(Call.get(OPERATIONS + "/" + VmIds.operationIdFor(VmIds.newVmId(), 1))
                .bearer(ContractTokens.newSecret().admin("mallory", project))), 401, "INVALID_TOKEN");
    }

    @Test
    void shouldAnswer403ProblemsTheDocumentDescribes() {
        String token = TOKENS.user("frank", project);
        problem(api.conforming(Call.get(HOSTS).bearer(token)), 403, "ADMIN_REQUIRED");
        JsonNode forbidden = problem(api.conforming(Call.postJson(CREATE,
                Examples.SIMPLE.replace("}}", "}, \"placement\": {\"host\": \"qemu-1\"}}")).bearer(token)),
                403, "FORBIDDEN_FIELD");
        assertThat(forbidden.at("/errors/0/pointer").stringValue()).isEqualTo("/placement");
    }

    @Test
    void shouldAnswer404ProblemsTheDocumentDescribes() {
        String token = TOKENS.user("gina", project);
        problem(api.conforming(Call.get(VMS + "/" + VmIds.newVmId()).bearer(token)), 404, "VM_NOT_FOUND");
        problem(api.conforming(Call.get(OPERATIONS + "/" + VmIds.operationIdFor(VmIds.newVmId(), 1)).bearer(token)),
                404, "OPERATION_NOT_FOUND");
        // An id of the wrong form: the document refuses the path parameter, the gateway answers like an unknown id
        problem(api.refused(Call.get(VMS + "/not-a-vm-id").bearer(token), "validation.request.parameter"), 404,
                "VM_NOT_FOUND");
        problem(api.refused(Call.get(OPERATIONS + "/not-an-op-id").bearer(token), "validation.request.parameter"),
                404, "OPERATION_NOT_FOUND");
    }

    @Test
    void shouldAnswer413And415ProblemsTheDocumentDescribes() {
        String token = TOKENS.user("hank", project);
        String large = Examples.SIMPLE.replace("\"test-vm\"", "\"test-vm\", \"pad\": \"" + "x".repeat(70_000) + "\"");
        problem(api.refused(Call.postJson(CREATE, large).bearer(token), "validation.request.body"), 413,
                "PAYLOAD_TOO_LARGE");
        problem(api.refused(Call.post(CREATE, "text/plain", Examples.SIMPLE.getBytes(StandardCharsets.UTF_8))
                .bearer(token), "validation.request.contentType"), 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void shouldAnswer422ProblemTheDocumentDescribesToAReusedIdempotencyKey() {
        // Given a create under a key
        String token = TOKENS.user("ivy", project);
        String key = "reuse-" + UUID.randomUUID();
        accepted(token, Examples.GPU, key);
        // When another body is sent under the same key
        // Then the answer is the documented 422
        problem(api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(token).header("Idempotency-Key", key)),
                422, "IDEMPOTENCY_KEY_REUSED");
        assertThat(vmInStore(VmIds.vmIdFor(project, key)).name()).isEqualTo("gpu-vm");
    }
}
