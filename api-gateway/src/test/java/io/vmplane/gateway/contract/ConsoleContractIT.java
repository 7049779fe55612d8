package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.StateStores;
import io.vmplane.store.console.ConsoleSession;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console endpoints judged by the OpenAPI document: ConsoleInfo, ConsoleStats, ConsoleConfig and their
 * documented refusals (403, 404, 409, 426, 503).
 */
class ConsoleContractIT extends RunningGateway {

    private static final String CONFIG = "/api/v1/virtualization/console/config";
    private static StateStores consoleStores;

    private final String project = "console-contract-" + UUID.randomUUID();
    private final String token = TOKENS.user("alice", project);
    private final String host = "sim-c-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void connect() {
        consoleStores = StateStores.connect(SharedInfra.redis().uri());
    }

    @AfterAll
    static void disconnect() {
        consoleStores.close();
    }

    private String vm(VmStatus status, String domainXml) {
        consoleStores.hosts().putInventory(new HostInventory(host, "test", "127.0.0.1", false, 32, 65536, List.of(),
                List.of(), Instant.now()), 128, 65536).block(Duration.ofSeconds(10));
        Exchange created = api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(token));
        assertThat(created.status()).as(created.describe()).isEqualTo(202);
        String vmId = created.json().get("id").stringValue();
        long generation = vmInStore(vmId).generation();
        assertThat(consoleStores.vms().apply(VmEvent.of(vmId, generation, VmEvent.Phase.FINAL, status, host,
                "contract").withDomainXml(domainXml)).block(Duration.ofSeconds(10))).isTrue();
        return vmId;
    }

    private static String xml(int port) {
        return "<domain><devices><graphics type='vnc' port='" + port + "' listen='127.0.0.1'/></devices></domain>";
    }

    private static void answered(Exchange exchange, int status, String code) {
        assertThat(exchange.status()).as(exchange.describe()).isEqualTo(status);
        if (code != null) {
            assertThat(exchange.json().get("code").stringValue()).isEqualTo(code);
        }
    }

    @Test
    void shouldIssueTokensAndReportStatsAsTheDocumentDescribes() {
        // Given a running VM with a live session on a proxy
        String vmId = vm(VmStatus.RUNNING, xml(5920));
        Instant now = Instant.now();
        consoleStores.consoles().putSession(new ConsoleSession("s-" + UUID.randomUUID(), vmId, "vnc", "alice",
                "10.0.0.1", "console-1", now, now, 5, 7, 0), Duration.ofSeconds(30), true).block();

        // When / Then
        answered(api.conforming(Call.get(VMS + "/" + vmId + "/console").bearer(token)), 200, null);
        answered(api.conforming(Call.get(VMS + "/" + vmId + "/console/stats").bearer(token)), 200, null);
        answered(api.conforming(Call.get(CONFIG).bearer(TOKENS.admin("root", "ops"))), 200, null);
    }

    @Test
    void shouldRefuseAsTheDocumentDescribes() {
        // Given a stopped VM and a running one whose port is not known
        String stopped = vm(VmStatus.STOPPED, null);
        String portless = vm(VmStatus.RUNNING, null);
        String neverPort = vm(VmStatus.RUNNING, "<domain><name>x</name><devices><graphics type='vnc' port='-1'"
                + " autoport='yes'/></devices></domain>");

        // When / Then
        answered(api.conforming(Call.get(VMS + "/" + stopped + "/console").bearer(token)), 409, "VM_NOT_RUNNING");
        answered(api.conforming(Call.get(VMS + "/" + portless + "/console").bearer(token)), 503,
                "CONSOLE_UNAVAILABLE");
        answered(api.conforming(Call.get(VMS + "/" + neverPort + "/console").bearer(token)), 409,
                "CONSOLE_UNAVAILABLE");
        answered(api.conforming(Call.get(VMS + "/vm-" + UUID.randomUUID() + "/console").bearer(token)), 404,
                "VM_NOT_FOUND");
        answered(api.conforming(Call.get(VMS + "/vm-" + UUID.randomUUID() + "/console/stats").bearer(token)), 404,
                "VM_NOT_FOUND");
        answered(api.conforming(Call.get(CONFIG).bearer(token)), 403, "ADMIN_REQUIRED");
        answered(api.conforming(Call.get(VMS + "/" + portless + "/console/ws?token=abc")), 426, "UPGRADE_REQUIRED");
    }
}
