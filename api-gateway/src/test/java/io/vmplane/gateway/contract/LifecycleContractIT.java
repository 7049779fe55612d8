package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.UUID;

import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.vm.VmStatus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The life-cycle endpoints (list, start, stop, reboot, delete, operation wait) judged by the OpenAPI document: their
 * answers and their documented errors (400, 403, 409, 422). A request the suite sends wrong on purpose must be one
 * the document refuses too.
 */
class LifecycleContractIT extends RunningGateway {

    private final String project = "life-contract-" + UUID.randomUUID();
    private final String token = TOKENS.user("alice", project);

    private static Call post(String path) {
        return new Call("POST", path, new LinkedHashMap<>(), null);
    }

    private static Call delete(String path) {
        return new Call("DELETE", path, new LinkedHashMap<>(), null);
    }

    private String create() {
        Exchange created = api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(token));
        assertThat(created.status()).as(created.describe()).isEqualTo(202);
        return created.json().get("id").stringValue();
    }

    private String running() {
        String vmId = create();
        finish(vmId, VmStatus.RUNNING, "sim-1");
        return vmId;
    }

    private static JsonNode status(Exchange exchange, int status) {
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(status);
        return exchange.json();
    }

    private static void problem(Exchange exchange, int status, String code) {
        assertThat(exchange.contentType()).as(exchange.describe()).startsWith("application/problem+json");
        assertThat(status(exchange, status).get("code").stringValue()).isEqualTo(code);
    }

    @Test
    void shouldStopStartRebootDeleteAndWaitAsTheDocumentDescribes() {
        // Given a running VM
        String vmId = running();
        String vm = VMS + "/" + vmId;
        // When it is stopped (with a body), started, rebooted and deleted, each after the last one ended
        String stop = status(api.conforming(Call.postJson(vm + "/stop", "{\"force\": false, "
                + "\"graceful_timeout_seconds\": 30}").bearer(token)), 202).get("operation_id").stringValue();
        JsonNode waited = status(api.conforming(Call.get(OPERATIONS + "/" + stop + "/wait?timeout=0").bearer(token)),
                200);
        finish(vmId, VmStatus.STOPPED, "sim-1");
        status(api.conforming(post(vm + "/start").bearer(token).header("Idempotency-Key", "start-" + vmId)), 202);
        finish(vmId, VmStatus.RUNNING, "sim-1");
        status(api.conforming(post(vm + "/reboot").bearer(token)), 202);
        finish(vmId, VmStatus.RUNNING, "sim-1");
        Exchange deleted = api.conforming(delete(vm + "?delete_volumes=true").bearer(token));
        // Then every answer is of its documented schema
        status(deleted, 202);
        assertThat(waited.get("kind").stringValue()).isEqualTo("stop");
        assertThat(deleted.headers().get("location")).containsExactly("/api/v1/operations/"
                + deleted.json().get("operation_id").stringValue());
    }

    @Test
    void shouldListInPagesAsTheDocumentDescribes() {
        create();
        create();
        JsonNode first = status(api.conforming(Call.get(VMS + "?page_size=1").bearer(token)), 200);
        assertThat(first.get("items")).hasSize(1);
        JsonNode second = status(api.conforming(Call.get(VMS + "?page_size=1&page_token="
                + first.get("next_page_token").stringValue()).bearer(token)), 200);
        assertThat(second.get("items")).hasSize(1);
        status(api.conforming(Call.get(VMS + "?status=pending&host=sim-1").bearer(token)), 200);
    }

    @Test
    void shouldAnswerLifecycleErrorsAsTheDocumentDescribes() {
        String pending = VMS + "/" + create();
        String running = VMS + "/" + running();
        // 400: bad query values and stop bodies, which the document refuses too
        problem(api.refused(Call.get(VMS + "?page_size=0").bearer(token), "validation.request.parameter"), 400,
                "INVALID_QUERY");
        problem(api.refused(Call.get(VMS + "?status=sleeping").bearer(token), "validation.request.parameter"), 400,
                "INVALID_QUERY");
        problem(api.refused(delete(running + "?delete_volumes=maybe").bearer(token),
                "validation.request.parameter"), 400, "INVALID_QUERY");
        problem(api.refused(Call.get(OPERATIONS + "/" + vmInStore(running.substring(VMS.length() + 1))
                .operationId() + "/wait?timeout=61").bearer(token), "validation.request.parameter"), 400,
                "INVALID_QUERY");
        problem(api.refused(Call.postJson(running + "/stop", "{\"force\": \"yes\"}").bearer(token),
                "validation.request.body"), 400, "VALIDATION_FAILED");
        problem(api.refused(Call.postJson(running + "/stop", "{\"hard\": true}").bearer(token),
                "validation.request.body"), 400, "UNKNOWN_FIELD");
        problem(api.refused(post(running + "/reboot").bearer(token).header("Idempotency-Key", "x".repeat(256)),
                "validation.request.parameter"), 400, "INVALID_IDEMPOTENCY_KEY");
        // 403: a non-admin naming another project
        problem(api.conforming(Call.get(VMS + "?project=someone-else").bearer(token)), 403, "FORBIDDEN_FIELD");
        // 409: an action the VM's status does not allow, or while its operation runs
        problem(api.conforming(post(running + "/start").bearer(token)), 409, "INVALID_STATE");
        problem(api.conforming(post(pending + "/reboot").bearer(token)), 409, "OPERATION_IN_PROGRESS");
        // 422: a key reused for another action
        String key = "reuse-" + UUID.randomUUID();
        status(api.conforming(post(running + "/reboot").bearer(token).header("Idempotency-Key", key)), 202);
        problem(api.conforming(post(running + "/stop").bearer(token).header("Idempotency-Key", key)), 422,
                "IDEMPOTENCY_KEY_REUSED");
    }
}
