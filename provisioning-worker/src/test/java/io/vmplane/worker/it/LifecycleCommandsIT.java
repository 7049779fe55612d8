package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.store.VmStore.BeginResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Start, stop, reboot and delete through a real worker, Kafka and Redis: each goes to the partition of the VM's
 * host; a VM on no host is deleted by the worker; stale generations and passed deadlines end nothing on a host.
 */
class LifecycleCommandsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

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
    void shouldHandEachLifeCycleCommandToItsHostsPartitionAndShowTheTransition() {
        // Given four VMs on one host, three running and one stopped, each with an operation begun in the store
        String hostId = unique("host");
        VmRecord toStop = vmOn(hostId, 1, VmStatus.RUNNING);
        VmRecord toStart = vmOn(hostId, 1, VmStatus.STOPPED);
        VmRecord toReboot = vmOn(hostId, 1, VmStatus.RUNNING);
        VmRecord toDelete = vmOn(hostId, 1, VmStatus.RUNNING);
        BeginResult stopping = begin(toStop, "stop", List.of(VmStatus.RUNNING), VmStatus.STOPPING);
        BeginResult starting = begin(toStart, "start", List.of(VmStatus.STOPPED), null);
        BeginResult rebooting = begin(toReboot, "reboot", List.of(VmStatus.RUNNING), null);
        BeginResult deleting = begin(toDelete, "delete", List.of(), VmStatus.DELETING);

        // When
        publish(new VmCommand.StopVm(commandId(), toStop.id(), stopping.generation(), stopping.operationId(), "it",
                "tester", 7, false, future(), Instant.now()));
        publish(new VmCommand.StartVm(commandId(), toStart.id(), starting.generation(), starting.operationId(), "it",
                "tester", future(), Instant.now()));
        publish(new VmCommand.RebootVm(commandId(), toReboot.id(), rebooting.generation(), rebooting.operationId(),
                "it", "tester", future(), Instant.now()));
        publish(new VmCommand.DeleteVm(commandId(), toDelete.id(), deleting.generation(), deleting.operationId(),
                "it", "tester", true, future(), Instant.now()));

        // Then every host command is keyed by the host, on its partition, with the command's generation
        int partition = Topics.hostPartition(hostId, Topics.HOST_COMMAND_PARTITIONS);
        HostCommand stop = awaitHostCommand(toStop.id(), hostId, partition);
        assertThat(stop).isInstanceOfSatisfying(HostCommand.StopDomain.class, s -> {
            assertThat(s.gracefulTimeoutSeconds()).isEqualTo(7);
            assertThat(s.force()).isFalse();
            assertThat(s.generation()).isEqualTo(2);
        });
        assertThat(awaitHostCommand(toStart.id(), hostId, partition)).isInstanceOf(HostCommand.StartDomain.class);
        assertThat(awaitHostCommand(toReboot.id(), hostId, partition)).isInstanceOf(HostCommand.RebootDomain.class);
        assertThat(awaitHostCommand(toDelete.id(), hostId, partition)).isInstanceOfSatisfying(
                HostCommand.DeleteDomain.class, d -> assertThat(d.deleteVolumes()).isTrue());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(worker.vm(toStop.id()).status()).isEqualTo(VmStatus.STOPPING);
            assertThat(worker.vm(toDelete.id()).status()).isEqualTo(VmStatus.DELETING);
            assertThat(worker.vm(toStart.id()).version()).isEqualTo(VmEvent.version(2, Phase.PLACED));
            assertThat(worker.vm(toReboot.id()).version()).isEqualTo(VmEvent.version(2, Phase.PLACED));
        });
        assertThat(worker.vm(toStart.id()).status()).isEqualTo(VmStatus.STOPPED);
        assertThat(worker.vm(toReboot.id()).status()).isEqualTo(VmStatus.RUNNING);
        assertThat(operation(stopping).state()).isEqualTo("running");
        assertThat(operation(deleting).state()).isEqualTo("running");
    }

    @Test
    void shouldDeleteAnUnplacedVmItselfSoThatItsLateCreateClaimsNothing() {
        // Given a pending VM on no host, whose create is still to be delivered, and a host it would fit on
        String pool = unique("pool");
        String hostId = unique("host");
        worker.registerHost(host(hostId, pool, 8, 16384));
        await().atMost(WAIT).until(() -> worker.registered(hostId));
        VmCommand.CreateVm create = worker.pendingVm(vm("never", pool, 1, 1024));

        // When the delete arrives first, then the create
        publish(new VmCommand.DeleteVm(commandId(), create.vmId(), 2, VmIds.operationIdFor(create.vmId(), 2), "it",
                "tester", true, future(), Instant.now()));
        await().atMost(WAIT).until(() -> worker.vm(create.vmId()).status() == VmStatus.DELETED);
        worker.publish(create);

        // Then the VM stays deleted, holds no claim, and no host heard of it
        VmCommand.CreateVm next = worker.pendingVm(vm("after", pool, 1, 1024));
        worker.publish(next);
        awaitHostCommand(next.vmId(), hostId, Topics.hostPartition(hostId, Topics.HOST_COMMAND_PARTITIONS));
        VmRecord deleted = worker.vm(create.vmId());
        assertThat(deleted.status()).isEqualTo(VmStatus.DELETED);
        assertThat(deleted.reason()).isNull();
        assertThat(worker.stores.ledger().claimOf(create.vmId()).block(WAIT)).isEmpty();
        assertThat(hostCommands.records(r -> create.vmId().equals(vmIdOf(r)))).isEmpty();
    }

    @Test
    void shouldDeleteAVmThatFailedBeforePlacement() {
        // Given a VM that failed with NO_VALID_HOST, and its delete begun
        VmCommand.CreateVm create = worker.pendingVm(vm("failed", unique("pool"), 1, 1024));
        worker.stores.vms().apply(VmEvent.failed(create.vmId(), 1, null, FailureCode.NO_VALID_HOST, "none fits",
                "it")).block(WAIT);
        BeginResult deleting = begin(worker.vm(create.vmId()), "delete", List.of(), VmStatus.DELETING);

        // When
        publish(new VmCommand.DeleteVm(commandId(), create.vmId(), deleting.generation(), deleting.operationId(),
                "it", "tester", false, future(), Instant.now()));

        // Then
        await().atMost(WAIT).untilAsserted(() -> {
            VmRecord vm = worker.vm(create.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.DELETED);
            assertThat(vm.version()).isEqualTo(VmEvent.version(2, Phase.FINAL));
            assertThat(operation(deleting).state()).isEqualTo("succeeded");
        });
    }

    @Test
    void shouldSkipCommandsOfAStaleOrEndedGenerationButCarryOutANewerOne() {
        // Given a VM at generation 3, running on a host
        String hostId = unique("host");
        VmRecord vm = vmOn(hostId, 3, VmStatus.RUNNING);

        // When a stop of generation 2 and one of the ended generation 3 arrive, then a reboot of generation 4
        publish(new VmCommand.StopVm(commandId(), vm.id(), 2, op(vm, 2), "it", "tester", 5, true, future(),
                Instant.now()));
        publish(new VmCommand.StopVm(commandId(), vm.id(), 3, op(vm, 3), "it", "tester", 5, true, future(),
                Instant.now()));
        publish(new VmCommand.RebootVm(commandId(), vm.id(), 4, op(vm, 4), "it", "tester", future(), Instant.now()));

        // Then only the reboot reaches the host
        int partition = Topics.hostPartition(hostId, Topics.HOST_COMMAND_PARTITIONS);
        assertThat(awaitHostCommand(vm.id(), hostId, partition)).isInstanceOf(HostCommand.RebootDomain.class);
        assertThat(hostCommands.records(r -> vm.id().equals(vmIdOf(r)))).hasSize(1);
        assertThat(worker.vm(vm.id()).status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void shouldEndAStopPastItsDeadlineWithTimeoutAndLeaveTheVmRunning() {
        // Given a running VM whose stop was accepted (the store shows it stopping)
        String hostId = unique("host");
        VmRecord vm = vmOn(hostId, 1, VmStatus.RUNNING);
        BeginResult stopping = begin(vm, "stop", List.of(VmStatus.RUNNING), VmStatus.STOPPING);

        // When its stop arrives after its deadline
        publish(new VmCommand.StopVm(commandId(), vm.id(), stopping.generation(), stopping.operationId(), "it",
                "tester", 5, false, Instant.now().minusSeconds(1), Instant.now()));

        // Then the operation failed and the VM, which nothing stopped, is running
        await().atMost(WAIT).untilAsserted(() -> {
            VmRecord now = worker.vm(vm.id());
            assertThat(now.version()).isEqualTo(VmEvent.version(2, Phase.FINAL));
            assertThat(now.status()).isEqualTo(VmStatus.RUNNING);
            assertThat(now.reason()).isEqualTo(FailureCode.TIMEOUT);
            OperationRecord operation = operation(stopping);
            assertThat(operation.state()).isEqualTo("failed");
            assertThat(operation.errorCode()).isEqualTo(FailureCode.TIMEOUT.name());
        });
        assertThat(hostCommands.records(r -> vm.id().equals(vmIdOf(r)))).isEmpty();
    }

    @Test
    void shouldLetTheSweepEndAnOverdueStopWithTimeoutAndTheVmRunning() {
        // Given a running VM whose stop was accepted with a deadline that passed and whose command never came
        VmRecord vm = vmOn(unique("host"), 1, VmStatus.RUNNING);
        BeginResult stopping = begin(vm, "stop", List.of(VmStatus.RUNNING), VmStatus.STOPPING,
                Instant.now().minusSeconds(1));

        // When the deadline sweep runs (every 300 ms here)
        await().atMost(WAIT).until(() -> !"pending".equals(operation(stopping).state()));

        // Then
        OperationRecord operation = operation(stopping);
        assertThat(operation.state()).isEqualTo("failed");
        assertThat(operation.errorCode()).isEqualTo(FailureCode.TIMEOUT.name());
        assertThat(worker.vm(vm.id()).status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void shouldFailOnlyTheOperationOfAStopThatCannotBeRead() {
        // Given a running VM whose stop was accepted, and that stop's record lacking its deadline
        VmRecord vm = vmOn(unique("host"), 1, VmStatus.RUNNING);
        BeginResult stopping = begin(vm, "stop", List.of(VmStatus.RUNNING), VmStatus.STOPPING);
        var unreadable = new VmCommand.StopVm(commandId(), vm.id(), stopping.generation(), stopping.operationId(),
                "it", "tester", 5, false, null, Instant.now());

        // When
        publish(unreadable);

        // Then the stop's operation failed with INVALID_COMMAND and the VM, never stopped, is running
        await().atMost(WAIT).untilAsserted(() -> {
            OperationRecord operation = operation(stopping);
            assertThat(operation.state()).isEqualTo("failed");
            assertThat(operation.errorCode()).isEqualTo(FailureCode.INVALID_COMMAND.name());
            assertThat(worker.vm(vm.id()).status()).isEqualTo(VmStatus.RUNNING);
        });
        assertThat(hostCommands.records(r -> vm.id().equals(vmIdOf(r)))).isEmpty();
    }

    /** A VM recorded at {@code generation} and ended in {@code status} on {@code hostId}, as its agent reported. */
    private static VmRecord vmOn(String hostId, long generation, VmStatus status) {
        VmSpec spec = vm("lc", unique("pool"), 1, 512);
        String vmId = VmIds.newVmId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String operationId = VmIds.operationIdFor(vmId, generation);
        var vm = new VmRecord(vmId, spec.name(), "it", "tester", VmStatus.PENDING, null, null, null, spec, null,
                generation, VmEvent.version(generation, Phase.ACCEPTED), operationId, future(), now, now);
        var operation = new OperationRecord(operationId, vmId, "it", "create", "pending", null, null, now, now);
        worker.stores.vms().createPending(vm, operation).block(WAIT);
        worker.stores.vms().apply(VmEvent.of(vmId, generation, Phase.FINAL, status, hostId, "it")).block(WAIT);
        return worker.vm(vmId);
    }

    /** Begins an operation as the gateway does: the store checks the status and moves the VM to a new generation. */
    private static BeginResult begin(VmRecord vm, String kind, List<VmStatus> from, VmStatus accepted) {
        return begin(vm, kind, from, accepted, future());
    }

    private static BeginResult begin(VmRecord vm, String kind, List<VmStatus> from, VmStatus accepted,
                                     Instant deadline) {
        BeginResult result = worker.stores.vms().beginOperation(new VmStore.BeginOperation(vm.id(), kind, from,
                accepted, Instant.now(), deadline)).block(WAIT);
        assertThat(result.accepted()).as("%s", result).isTrue();
        return result;
    }

    private static OperationRecord operation(BeginResult begun) {
        return worker.stores.vms().operation(begun.operationId()).block(WAIT);
    }

    private static void publish(VmCommand command) {
        worker.send(new ProducerRecord<>(Topics.VM_COMMANDS, command.vmId(),
                Json.MAPPER.writerFor(VmCommand.class).writeValueAsBytes(command)));
    }

    private static HostCommand awaitHostCommand(String vmId, String hostId, int partition) {
        ConsumerRecord<String, byte[]> record = await().atMost(WAIT)
                .until(() -> hostCommands.records(r -> vmId.equals(vmIdOf(r))), list -> !list.isEmpty()).get(0);
        assertThat(record.key()).isEqualTo(hostId);
        assertThat(record.partition()).isEqualTo(partition);
        HostCommand command = Json.read(record.value(), HostCommand.class);
        assertThat(command.hostId()).isEqualTo(hostId);
        return command;
    }

    private static String vmIdOf(ConsumerRecord<String, byte[]> record) {
        return Json.read(record.value(), HostCommand.class).vmId();
    }

    private static String op(VmRecord vm, long generation) {
        return VmIds.operationIdFor(vm.id(), generation);
    }

    private static String commandId() {
        return "cmd-" + UUID.randomUUID();
    }

    private static Instant future() {
        return Instant.now().plus(10, ChronoUnit.MINUTES);
    }
}
