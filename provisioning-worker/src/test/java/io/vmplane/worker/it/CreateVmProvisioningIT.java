package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.Claim;
import io.vmplane.store.Usage;
import io.vmplane.store.VmRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CreateVm commands through a real worker, Kafka and Redis: placement, hand-over to the agent, redelivery. */
class CreateVmProvisioningIT {

    private static RunningWorker worker;
    private static TopicTail hostCommands;

    @BeforeAll
    static void startWorker() {
        worker = RunningWorker.get();
        hostCommands = new TopicTail(worker.bootstrapServers, Topics.HOST_COMMANDS);
    }

    @AfterAll
    static void closeTail() {
        hostCommands.close();
    }

    @Test
    void shouldHandProvisionVmToTheChosenHostsPartitionAndRecordTheVmProvisioning() {
        // Given: two hosts, the second with more free memory (spread picks it)
        String pool = unique("pool");
        String small = unique("host") + "-small";
        String large = unique("host") + "-large";
        registerHosts(host(small, pool, 8, 16384), host(large, pool, 8, 32768));
        VmCommand.CreateVm command = worker.pendingVm(vm("web", pool, 2, 2048));

        // When
        worker.publish(command);

        // Then
        ConsumerRecord<String, byte[]> record = awaitProvisions(command.vmId(), 1).get(0);
        assertThat(record.key()).isEqualTo(large);
        assertThat(record.partition()).isEqualTo(Topics.hostPartition(large, Topics.HOST_COMMAND_PARTITIONS));
        HostCommand.ProvisionVm provision = (HostCommand.ProvisionVm) Json.read(record.value(), HostCommand.class);
        assertThat(provision.hostId()).isEqualTo(large);
        assertThat(provision.generation()).isEqualTo(1);
        assertThat(provision.spec()).isEqualTo(command.spec());
        assertThat(provision.deadline()).isEqualTo(command.deadline());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VmRecord vm = worker.vm(command.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.PROVISIONING);
            assertThat(vm.host()).isEqualTo(large);
        });
    }

    @Test
    void shouldReuseTheClaimedHostWhenTheCommandIsDeliveredAgain() {
        // Given: two equal hosts; after the first placement the other one has more free memory
        String pool = unique("pool");
        String a = unique("host") + "-a";
        String b = a.substring(0, a.length() - 2) + "-b";
        registerHosts(host(a, pool, 8, 16384), host(b, pool, 8, 16384));
        VmCommand.CreateVm command = worker.pendingVm(vm("redelivered", pool, 2, 4096));
        worker.publish(command);
        String first = awaitProvisions(command.vmId(), 1).get(0).key();

        // When
        worker.publish(command);

        // Then
        List<ConsumerRecord<String, byte[]>> provisions = awaitProvisions(command.vmId(), 2);
        assertThat(provisions).extracting(ConsumerRecord::key).containsExactly(first, first);
        List<Claim> claims = worker.stores.ledger().claims(first).collectList().block(Duration.ofSeconds(5));
        assertThat(claims).extracting(Claim::vmId).containsExactly(command.vmId());
        Usage usage = worker.stores.ledger().usage(first).block(Duration.ofSeconds(5));
        assertThat(usage.vcpus()).isEqualTo(2);
        assertThat(usage.memoryMib()).isEqualTo(4096);
    }

    @Test
    void shouldFailAtOnceWithNoValidHostWhenNoHostCanFitTheVm() {
        // Given
        String pool = unique("pool");
        String a = unique("host") + "-a";
        String b = unique("host") + "-b";
        registerHosts(host(a, pool, 8, 16384), host(b, pool, 8, 16384));
        VmCommand.CreateVm command = worker.pendingVm(vm("huge", pool, 2, 1048576));

        // When
        worker.publish(command);

        // Then
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VmRecord vm = worker.vm(command.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.FAILED);
            assertThat(vm.reason()).isEqualTo(FailureCode.NO_VALID_HOST);
            assertThat(vm.message()).contains(a + ": free memory 16384 MiB < 1048576 MiB")
                    .contains(b + ": free memory 16384 MiB < 1048576 MiB");
        });
        assertThat(worker.stores.ledger().claimOf(command.vmId()).block(Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void shouldFailWithTimeoutACommandPastItsDeadline() {
        // Given
        String pool = unique("pool");
        registerHosts(host(unique("host"), pool, 8, 16384));
        VmCommand.CreateVm command = worker.pendingVm(vm("late", pool, 1, 1024), Instant.now().minusSeconds(1));

        // When
        worker.publish(command);

        // Then
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VmRecord vm = worker.vm(command.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.FAILED);
            assertThat(vm.reason()).isEqualTo(FailureCode.TIMEOUT);
        });
        assertThat(hostCommands.records(r -> command.vmId().equals(vmIdOf(r)))).isEmpty();
    }

    private static void registerHosts(io.vmplane.schemas.host.HostInventory... hosts) {
        for (var host : hosts) {
            worker.registerHost(host);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> java.util.Arrays.stream(hosts).allMatch(h -> worker.registered(h.hostId())));
    }

    private static List<ConsumerRecord<String, byte[]>> awaitProvisions(String vmId, int count) {
        return await().atMost(Duration.ofSeconds(20))
                .until(() -> hostCommands.records(r -> vmId.equals(vmIdOf(r))), list -> list.size() >= count);
    }

    private static String vmIdOf(ConsumerRecord<String, byte[]> record) {
        return Json.read(record.value(), HostCommand.class).vmId();
    }
}
