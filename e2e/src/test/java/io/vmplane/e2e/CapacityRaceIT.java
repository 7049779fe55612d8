package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * 60 creates at once through the gateway, two workers placing them, onto two simulated hosts whose memory holds
 * exactly 40 of them: the capacity ledger's atomic claims let exactly 40 run and fail the other 20 with
 * {@code NO_VALID_HOST}, and no host ends over its limits.
 */
class CapacityRaceIT {

    /** 20 GiB each: twenty 1 GiB VMs per host (memory overcommit 1.0; vCPUs, 32 × 4, are not the limit). */
    private static final long HOST_MEMORY_MIB = 20 * 1024;
    private static final List<String> HOSTS = List.of("race-1", "race-2");

    /** Closed by JUnit after the class: stops the stack. */
    @AutoClose
    private static Fleet fleet;

    @BeforeAll
    static void startStack() throws Exception {
        fleet = Fleet.start(LocalStack.Options.provisioning(2,
                HOSTS.stream().map(id -> LocalStack.Host.simulated(id, HOST_MEMORY_MIB)).toList()));
    }

    @Test
    void shouldRunExactly40Of60ConcurrentCreatesAndFailTheRestWithNoValidHost() throws Exception {
        // Given two hosts with room for 20 VMs of 1 GiB each, and 60 such VMs
        Map<String, JsonNode> before = fleet.hosts();
        assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(HOSTS);
        before.values().forEach(h -> assertThat(h.get("memory").get("free_mib").asLong()).isEqualTo(HOST_MEMORY_MIB));
        List<String> bodies = Collections.nCopies(60, """
                {"name": "race", "memory": 1024, "vcpus": 1,
                 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []}}
                """);

        // When all 60 are posted at once
        List<String> ids = fleet.create(bodies, fleet.stack.tokens.user("racer", "race"), 60, i -> { });

        // Then exactly 40 run and 20 fail with NO_VALID_HOST
        Map<String, JsonNode> vms = fleet.awaitFinal(ids, Duration.ofSeconds(90));
        Map<String, Long> outcomes = vms.values().stream().collect(Collectors.groupingBy(
                vm -> vm.get("status").asString() + "/" + vm.path("reason").asString(""), Collectors.counting()));
        assertThat(outcomes).isEqualTo(Map.of("running/", 40L, "failed/NO_VALID_HOST", 20L));

        // And each host holds 20, within its limits, as the ledger and libvirt (the agent's inventory) both say
        Map<String, List<String>> runningByHost = vms.values().stream()
                .filter(vm -> vm.get("status").asString().equals("running"))
                .collect(Collectors.groupingBy(vm -> vm.get("host").asString(),
                        Collectors.mapping(vm -> vm.get("id").asString(), Collectors.toList())));
        assertThat(runningByHost.keySet()).containsExactlyInAnyOrderElementsOf(HOSTS);
        Map<String, JsonNode> after = fleet.hosts();
        for (String host : HOSTS) {
            assertThat(runningByHost.get(host)).as(host).hasSize(20);
            JsonNode view = after.get(host);
            assertThat(view.get("memory").get("free_mib").asLong()).as(host).isZero();
            assertThat(view.get("vcpus").get("free").asInt()).as(host)
                    .isEqualTo(view.get("vcpus").get("total").asInt() * 4 - 20);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(fleet.reportedDomains(host)).as(host + "'s domains")
                            .containsExactlyInAnyOrderElementsOf(runningByHost.get(host)));
        }
        assertThat(vms.values()).filteredOn(vm -> vm.get("status").asString().equals("failed"))
                .allSatisfy(vm -> assertThat(vm.path("host").isMissingNode() || vm.get("host").isNull()).isTrue());
        assertThat(ids.stream().collect(Collectors.toMap(Function.identity(), id -> 1, Integer::sum))).hasSize(60);
    }
}
