package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * A burst of 100 creates (94 to two simulated hosts, 6 small ones pinned to the real host) during which one of two
 * workers and the real host's agent are SIGKILLed, then started again: every VM ends running or failed with a code,
 * and no domain exists twice (per host, libvirt's domains are exactly the VMs running there). The workers re-drive a
 * create stalled for 20 s, so re-published ProvisionVm commands are part of what must not duplicate anything.
 */
class CrashBurstIT {

    private static final String REAL = "crash-qemu";
    private static final List<String> SIMULATED = List.of("crash-1", "crash-2");
    private static final int TOTAL = 100;
    private static final int PINNED = 6;

    /** Closed by JUnit after the class: stops the stack. */
    @AutoClose
    private static Fleet fleet;

    @BeforeAll
    static void startStack() throws Exception {
        fleet = Fleet.start(LocalStack.Options.provisioning(2,
                List.of(LocalStack.Host.simulated(SIMULATED.get(0), false),
                        LocalStack.Host.simulated(SIMULATED.get(1), false), LocalStack.Host.real(REAL)),
                "--vmplane.worker.stall-after=20s", "--vmplane.worker.sweep-interval=2s"));
    }

    @Test
    void shouldEndEveryVmOnceWhenAWorkerAndTheRealHostsAgentAreKilledMidBurst() throws Exception {
        // Given 100 VMs, every 16th of them (6 in all) pinned to the real host: 128 MiB, the boot ISO, no disk
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            boolean pinned = i % 16 == 5;
            bodies.add(pinned
                    ? """
                      {"name": "real-%d", "memory": 128, "vcpus": 1,
                       "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []},
                       "placement": {"host": "%s"}}
                      """.formatted(i, REAL)
                    : """
                      {"name": "sim-%d", "memory": 512, "vcpus": 1,
                       "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []}}
                      """.formatted(i));
        }
        assertThat(bodies).filteredOn(b -> b.contains(REAL)).hasSize(PINNED);

        // When the burst runs and, after 30 accepted creates, worker-2 and the real host's agent get SIGKILL
        CountDownLatch thirty = new CountDownLatch(30);
        CompletableFuture<List<String>> burst = CompletableFuture.supplyAsync(() -> {
            try {
                return fleet.create(bodies, fleet.stack.tokens.admin(), 8, i -> thirty.countDown());
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(thirty.await(60, TimeUnit.SECONDS)).as("30 creates accepted").isTrue();
        fleet.stack.kill("worker-2");
        fleet.stack.kill("agent-" + REAL);
        List<String> ids = burst.get(120, TimeUnit.SECONDS);
        fleet.stack.restart("worker-2");
        fleet.stack.restart("agent-" + REAL);

        // Then every VM ends, running or failed with a code
        Map<String, JsonNode> vms = fleet.awaitFinal(ids, Duration.ofSeconds(150));
        assertThat(vms.values()).allSatisfy(vm -> {
            if (vm.get("status").asString().equals("failed")) {
                assertThat(vm.path("reason").asString("")).as(vm.toString()).matches("[A-Z][A-Z_]+");
            }
            else {
                assertThat(vm.get("status").asString()).isEqualTo("running");
            }
        });
        assertThat(vms.values()).filteredOn(vm -> vm.get("status").asString().equals("running"))
                .as("most VMs run").hasSizeGreaterThanOrEqualTo(TOTAL - PINNED);

        // And no domain exists twice: per host, libvirt's domains are exactly the VMs running there
        Map<String, Set<String>> runningByHost = vms.values().stream()
                .filter(vm -> vm.get("status").asString().equals("running"))
                .collect(Collectors.groupingBy(vm -> vm.get("host").asString(),
                        Collectors.mapping(vm -> vm.get("id").asString(), Collectors.toSet())));
        Set<String> seen = new HashSet<>();
        for (String host : SIMULATED) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(fleet.reportedDomains(host)).as(host + "'s domains").doesNotHaveDuplicates()
                            .containsExactlyInAnyOrderElementsOf(runningByHost.getOrDefault(host, Set.of())));
            fleet.reportedDomains(host).forEach(d -> assertThat(seen.add(d)).as(d + " on two hosts").isTrue());
        }
        List<String> real = fleet.realHostDomains();
        assertThat(real).as("the real host's domains").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(runningByHost.getOrDefault(REAL, Set.of()));
        real.forEach(d -> assertThat(seen.add(d)).as(d + " on two hosts").isTrue());

        // And each running VM's domain carries the uuid of its id, once
        List<String> uuids = vms.values().stream().filter(vm -> vm.get("status").asString().equals("running"))
                .map(vm -> {
                    String xml = vm.get("domain_xml").asString();
                    return xml.substring(xml.indexOf("<uuid>") + 6, xml.indexOf("</uuid>"));
                }).toList();
        assertThat(uuids).doesNotHaveDuplicates();
        vms.values().stream().filter(vm -> vm.get("status").asString().equals("running")).forEach(vm ->
                assertThat(vm.get("domain_xml").asString()).contains("<uuid>" + vm.get("id").asString().substring(3)));
    }
}
