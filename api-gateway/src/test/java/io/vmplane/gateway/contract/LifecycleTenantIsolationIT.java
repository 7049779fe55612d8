package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.store.VmRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tenants on the life-cycle endpoints (list, start, stop, reboot, delete, operation wait): another project can
 * neither see nor touch a VM; each of its attempts is answered exactly like one on an unknown VM, and publishes and
 * changes nothing. Every exchange is judged by the OpenAPI document.
 */
class LifecycleTenantIsolationIT extends RunningGateway {

    private final String project = "life-a-" + UUID.randomUUID();
    private final String otherProject = "life-b-" + UUID.randomUUID();
    private String vmId;
    private String operationId;

    @BeforeEach
    void aVmOfTheFirstProject() {
        Exchange created = api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(TOKENS.user("alice", project)));
        assertThat(created.status()).as(created.describe()).isEqualTo(202);
        vmId = created.json().get("id").stringValue();
        operationId = created.json().get("operation_id").stringValue();
    }

    private static Call post(String path) {
        return new Call("POST", path, new java.util.LinkedHashMap<>(), null);
    }

    private static Call delete(String path) {
        return new Call("DELETE", path, new java.util.LinkedHashMap<>(), null);
    }

    private JsonNode notFound(Exchange exchange) {
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(404);
        assertThat(exchange.contentType()).as(exchange.describe()).startsWith("application/problem+json");
        return exchange.json();
    }

    @Test
    void shouldAnswerAnotherProjectsLifeCycleCallsExactlyLikeCallsOnAnUnknownVmAndChangeNothing() {
        // Given a user of another project, the topic's end offsets and the VM as stored
        String other = TOKENS.user("eve", otherProject);
        String unknownId = VmIds.newVmId();
        Map<TopicPartition, Long> before = commandTopicEndOffsets();
        VmRecord stored = vmInStore(vmId);
        List<Function<String, Call>> calls = List.of(
                id -> post(VMS + "/" + id + "/start"),
                id -> post(VMS + "/" + id + "/stop"),
                id -> Call.postJson(VMS + "/" + id + "/stop", "{\"force\": true}"),
                id -> post(VMS + "/" + id + "/reboot"),
                id -> delete(VMS + "/" + id),
                id -> delete(VMS + "/" + id + "?delete_volumes=true"));
        for (Function<String, Call> call : calls) {
            // When she calls the endpoint on the first project's VM, with and without an idempotency key
            JsonNode hidden = notFound(api.conforming(call.apply(vmId).bearer(other)));
            JsonNode keyed = notFound(api.conforming(call.apply(vmId).bearer(other)
                    .header("Idempotency-Key", "k-" + UUID.randomUUID())));
            JsonNode unknown = notFound(api.conforming(call.apply(unknownId).bearer(other)));
            // Then each answer is the unknown VM's problem
            assertThat(hidden).as(call.apply(vmId).method() + " " + call.apply(vmId).path()).isEqualTo(unknown);
            assertThat(keyed).isEqualTo(unknown);
        }
        // and nothing was published, and the VM did not change
        assertThat(commandTopicEndOffsets()).isEqualTo(before);
        VmRecord after = vmInStore(vmId);
        assertThat(after.status()).isEqualTo(stored.status());
        assertThat(after.operationId()).isEqualTo(stored.operationId());
    }

    @Test
    void shouldAnswerAnotherProjectsOperationWaitExactlyLikeAnUnknownOperation() {
        String other = TOKENS.user("eve", otherProject);
        JsonNode hidden = notFound(api.conforming(Call.get(OPERATIONS + "/" + operationId + "/wait?timeout=0")
                .bearer(other)));
        JsonNode unknown = notFound(api.conforming(Call.get(OPERATIONS + "/"
                + VmIds.operationIdFor(VmIds.newVmId(), 1) + "/wait?timeout=0").bearer(other)));
        assertThat(hidden).isEqualTo(unknown);
        // while the VM's own project and admins wait on it
        Exchange own = api.conforming(Call.get(OPERATIONS + "/" + operationId + "/wait?timeout=0")
                .bearer(TOKENS.user("alice", project)));
        Exchange admin = api.conforming(Call.get(OPERATIONS + "/" + operationId + "/wait?timeout=0")
                .bearer(TOKENS.admin("root", otherProject)));
        assertThat(own.status()).as(own.describe()).isEqualTo(200);
        assertThat(admin.status()).as(admin.describe()).isEqualTo(200);
    }

    @Test
    void shouldListOnlyTheCallersProjectToNonAdminsAndEveryProjectToAdmins() {
        // When the other project lists its VMs
        Exchange others = api.conforming(Call.get(VMS).bearer(TOKENS.user("eve", otherProject)));
        // Then the first project's VM is not among them
        assertThat(others.status()).as(others.describe()).isEqualTo(200);
        assertThat(ids(others)).doesNotContain(vmId);
        // and the first project and admins see it
        Exchange own = api.conforming(Call.get(VMS).bearer(TOKENS.user("bob", project)));
        assertThat(ids(own)).contains(vmId);
        Exchange admin = api.conforming(Call.get(VMS + "?project=" + project).bearer(TOKENS.admin("root",
                otherProject)));
        assertThat(ids(admin)).containsExactly(vmId);
    }

    private static List<String> ids(Exchange exchange) {
        return exchange.json().get("items").valueStream().map(vm -> vm.get("id").stringValue()).toList();
    }
}
