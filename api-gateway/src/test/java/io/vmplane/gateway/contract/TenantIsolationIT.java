package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.vm.VmIds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tenants on every endpoint the gateway serves: another project's VM and operation are answered exactly like unknown
 * ones (so ids cannot be probed), admins see every project's, and only admins list hosts. Every exchange is also
 * judged by the OpenAPI document.
 */
class TenantIsolationIT extends RunningGateway {

    private final String project = "tenant-a-" + UUID.randomUUID();
    private final String otherProject = "tenant-b-" + UUID.randomUUID();
    private String vmPath;
    private String operationPath;

    @BeforeEach
    void aVmOfTheFirstProject() {
        Exchange created = api.conforming(Call.postJson(CREATE, Examples.MULTI_DISK)
                .bearer(TOKENS.user("alice", project)));
        assertThat(created.status()).as(created.describe()).isEqualTo(202);
        vmPath = VMS + "/" + created.json().get("id").stringValue();
        operationPath = OPERATIONS + "/" + created.json().get("operation_id").stringValue();
    }

    private JsonNode notFound(Exchange exchange) {
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(404);
        assertThat(exchange.contentType()).startsWith("application/problem+json");
        return exchange.json();
    }

    @Test
    void shouldAnswerAnotherProjectsVmExactlyLikeAnUnknownOne() {
        // Given a user of another project, even with the same user name
        String other = TOKENS.user("alice", otherProject);
        // When she reads the first project's VM and a VM id nobody has
        JsonNode hidden = notFound(api.conforming(Call.get(vmPath).bearer(other)));
        JsonNode unknown = notFound(api.conforming(Call.get(VMS + "/" + VmIds.newVmId()).bearer(other)));
        // Then both answers are the same problem, byte for byte once parsed
        assertThat(hidden).isEqualTo(unknown);
        assertThat(hidden.get("code").stringValue()).isEqualTo("VM_NOT_FOUND");
    }

    @Test
    void shouldAnswerAnotherProjectsOperationExactlyLikeAnUnknownOne() {
        String other = TOKENS.user("mallory", otherProject);
        JsonNode hidden = notFound(api.conforming(Call.get(operationPath).bearer(other)));
        JsonNode unknown = notFound(api.conforming(Call.get(OPERATIONS + "/"
                + VmIds.operationIdFor(VmIds.newVmId(), 1)).bearer(other)));
        assertThat(hidden).isEqualTo(unknown);
        assertThat(hidden.get("code").stringValue()).isEqualTo("OPERATION_NOT_FOUND");
    }

    @Test
    void shouldShowTheVmAndOperationToTheirProjectAndToAdminsOfAnyProject() {
        // Given another user of the same project and an admin of another project
        String sameProject = TOKENS.user("bob", project);
        String admin = TOKENS.admin("root", otherProject);
        // When each reads the VM and its operation
        // Then both see them
        for (String token : new String[] {sameProject, admin}) {
            Exchange vm = api.conforming(Call.get(vmPath).bearer(token));
            assertThat(vm.status()).as(vm.describe()).isEqualTo(200);
            assertThat(vm.json().get("project").stringValue()).isEqualTo(project);
            Exchange operation = api.conforming(Call.get(operationPath).bearer(token));
            assertThat(operation.status()).as(operation.describe()).isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseHostsToNonAdminsOfEveryProject() {
        for (String token : new String[] {TOKENS.user("alice", project), TOKENS.user("eve", otherProject)}) {
            Exchange hosts = api.conforming(Call.get(HOSTS).bearer(token));
            assertThat(hosts.status()).as(hosts.describe()).isEqualTo(403);
            assertThat(hosts.json().get("code").stringValue()).isEqualTo("ADMIN_REQUIRED");
        }
        Exchange hosts = api.conforming(Call.get(HOSTS).bearer(TOKENS.admin("root", otherProject)));
        assertThat(hosts.status()).as(hosts.describe()).isEqualTo(200);
    }

    @Test
    void shouldNotLetAnotherProjectReuseTheFirstProjectsIdempotencyKeyToReachItsVm() {
        // Given a VM created under an idempotency key in the first project
        String key = "shared-key-" + UUID.randomUUID();
        Exchange first = api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(TOKENS.user("alice", project))
                .header("Idempotency-Key", key));
        // When another project sends the same body under the same key
        Exchange second = api.conforming(Call.postJson(CREATE, Examples.SIMPLE)
                .bearer(TOKENS.user("eve", otherProject)).header("Idempotency-Key", key));
        // Then it gets its own VM (keys are scoped per project), not the first project's
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("id")).isNotEqualTo(first.json().get("id"));
        assertThat(vmInStore(second.json().get("id").stringValue()).project()).isEqualTo(otherProject);
    }
}
