package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmRecord;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.sweep.Redriver;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The re-drive of a stalled create through the worker's own {@link Redriver} (at most 2 re-drives), real Kafka and
 * Redis. Time is passed in, so "one stall-after later" needs no waiting.
 */
class RedriveIT {

    /** The worker's stall-after (RunningWorker sets it long, so that only this test's calls re-drive). */
    private static Duration stall;

    private static RunningWorker worker;
    private static Redriver redriver;
    private static TopicTail hostCommands;

    @BeforeAll
    static void start() {
        worker = RunningWorker.get();
        redriver = worker.context.getBean(Redriver.class);
        stall = worker.context.getBean(WorkerProperties.class).stallAfter();
        assertThat(worker.context.getBean(WorkerProperties.class).maxRedrives()).isEqualTo(2);
        hostCommands = new TopicTail(worker.bootstrapServers, Topics.HOST_COMMANDS);
    }

    @AfterAll
    static void closeTail() {
        hostCommands.close();
    }

    @Test
    void shouldPublishTheProvisionVmAgainWhenTheCreateStalledAtMostTwice() {
        // Given a VM placed on a host whose agent never answers
        String pool = unique("pool");
        String hostId = unique("host");
        VmRecord vm = placed(hostId, pool, "stalled");
        Instant placedAt = vm.updatedAt();

        // When the sweep looks at it one stall-after later, again at once, and every stall-after after that
        boolean first = redriver.consider(vm, true, placedAt.plus(stall));
        boolean again = redriver.consider(vm, true, placedAt.plus(stall).plusSeconds(1));
        boolean second = redriver.consider(vm, true, placedAt.plus(stall.multipliedBy(2)));
        boolean third = redriver.consider(vm, true, placedAt.plus(stall.multipliedBy(3)));

        // Then two re-drives, each the same ProvisionVm to the same host's partition
        assertThat(List.of(first, again, second, third)).containsExactly(true, false, true, false);
        List<ConsumerRecord<String, byte[]>> provisions = awaitProvisions(vm.id(), 3);
        assertThat(provisions).hasSize(3).allSatisfy(record -> {
            assertThat(record.key()).isEqualTo(hostId);
            assertThat(record.partition()).isEqualTo(Topics.hostPartition(hostId, Topics.HOST_COMMAND_PARTITIONS));
        });
        HostCommand.ProvisionVm original = provision(provisions.get(0));
        HostCommand.ProvisionVm redriven = provision(provisions.get(2));
        assertThat(redriven.vmId()).isEqualTo(original.vmId());
        assertThat(redriven.generation()).isEqualTo(original.generation());
        assertThat(redriven.spec()).isEqualTo(original.spec());
        assertThat(redriven.deadline()).isEqualTo(original.deadline());
        assertThat(redriven.pciAddresses()).isEqualTo(original.pciAddresses());
    }

    @Test
    void shouldNeverRedriveACreateAfterItsFinalEvent() {
        // Given a placed VM whose agent reported it running
        String pool = unique("pool");
        VmRecord placed = placed(unique("host"), pool, "done");
        worker.send(Topics.VM_EVENTS, placed.id(), VmEvent.of(placed.id(), 1, VmEvent.Phase.FINAL,
                VmStatus.RUNNING, placed.host(), "it-agent"));
        VmRecord running = await().atMost(Duration.ofSeconds(20))
                .until(() -> worker.vm(placed.id()), v -> v.status() == VmStatus.RUNNING);

        // When the sweep looks at it long after
        boolean redriven = redriver.consider(running, true, running.updatedAt().plus(stall.multipliedBy(3)));

        // Then nothing is published
        assertThat(redriven).isFalse();
        assertThat(hostCommands.records(r -> placed.id().equals(vmIdOf(r)))).hasSize(1);
    }

    @Test
    void shouldLetOnlyOneOfTwoWorkersRedriveTheSameStall() {
        // Given a stalled VM
        VmRecord vm = placed(unique("host"), unique("pool"), "raced");
        Instant later = vm.updatedAt().plus(stall);

        // When two sweeps decide at the same moment
        var a = CompletableFuture.supplyAsync(() -> redriver.consider(vm, true, later));
        var b = CompletableFuture.supplyAsync(() -> redriver.consider(vm, true, later));

        // Then exactly one publishes
        assertThat(List.of(a.join(), b.join())).containsExactlyInAnyOrder(true, false);
        awaitProvisions(vm.id(), 2);
        assertThat(hostCommands.records(r -> vm.id().equals(vmIdOf(r)))).hasSize(2);
    }

    private static VmRecord placed(String hostId, String pool, String name) {
        worker.registerHost(host(hostId, pool, 8, 16384));
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.registered(hostId));
        // A deadline far beyond a few stall-afters, so that only the re-drive bound stops the re-drives.
        VmCommand.CreateVm command = worker.pendingVm(vm(name, pool, 1, 1024), Instant.now().plus(Duration.ofDays(1)));
        worker.publish(command);
        awaitProvisions(command.vmId(), 1);
        return await().atMost(Duration.ofSeconds(20)).until(() -> worker.vm(command.vmId()),
                v -> v.status() == VmStatus.PROVISIONING && hostId.equals(v.host()));
    }

    private static List<ConsumerRecord<String, byte[]>> awaitProvisions(String vmId, int count) {
        return await().atMost(Duration.ofSeconds(20))
                .until(() -> hostCommands.records(r -> vmId.equals(vmIdOf(r))), list -> list.size() >= count);
    }

    private static HostCommand.ProvisionVm provision(ConsumerRecord<String, byte[]> record) {
        return (HostCommand.ProvisionVm) Json.read(record.value(), HostCommand.class);
    }

    private static String vmIdOf(ConsumerRecord<String, byte[]> record) {
        return Json.read(record.value(), HostCommand.class).vmId();
    }
}
