package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.store.VmStore.BeginOperation;
import io.vmplane.store.VmStore.BeginResult;
import io.vmplane.store.VmStore.Outcome;
import io.vmplane.store.VmStore.PageCursor;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** Life-cycle operations, paging and operation retention over a real Redis. */
class RedisVmLifecycleIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETENTION = Duration.ofHours(1);

    private static StateStores stores;
    private static VmStore vms;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> raw;

    @BeforeAll
    static void connect() {
        stores = StateStores.connect(SharedInfra.redis().uri(), new StateStores.Options(RETENTION));
        vms = stores.vms();
        rawClient = RedisClient.create(SharedInfra.redis().uri());
        raw = rawClient.connect();
    }

    @AfterAll
    static void close() {
        raw.close();
        rawClient.shutdown();
        stores.close();
    }

    @Test
    void shouldBeginAStopOfARunningVmWithTheNextGeneration() {
        // Given
        VmRecord vm = running("dev");

        // When
        BeginResult result = vms.beginOperation(stop(vm.id())).block(TIMEOUT);

        // Then
        assertThat(result.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(result.generation()).isEqualTo(2);
        assertThat(result.operationId()).isEqualTo(VmIds.operationIdFor(vm.id(), 2));
        assertThat(result.status()).isEqualTo(VmStatus.STOPPING);
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.generation()).isEqualTo(2);
        assertThat(stored.version()).isEqualTo(VmEvent.version(2, Phase.ACCEPTED));
        assertThat(stored.operationId()).isEqualTo(result.operationId());
        assertThat(stored.status()).isEqualTo(VmStatus.STOPPING);
        OperationRecord op = vms.operation(result.operationId()).block(TIMEOUT);
        assertThat(op.kind()).isEqualTo("stop");
        assertThat(op.state()).isEqualTo("pending");
        assertThat(op.project()).isEqualTo("dev");
        assertThat(op.vmId()).isEqualTo(vm.id());
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).contains(vm.id());
    }

    @Test
    void shouldKeepTheStatusWhenARebootIsAccepted() {
        // Given
        VmRecord vm = running("dev");

        // When
        BeginResult result = vms.beginOperation(new BeginOperation(vm.id(), "reboot", List.of(VmStatus.RUNNING),
                null, Instant.now(), Instant.now().plusSeconds(300))).block(TIMEOUT);

        // Then
        assertThat(result.accepted()).isTrue();
        assertThat(vms.get(vm.id()).block(TIMEOUT).status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void shouldRefuseAStartOfARunningVmNamingItsStatus() {
        // Given
        VmRecord vm = running("dev");

        // When
        BeginResult result = vms.beginOperation(new BeginOperation(vm.id(), "start", List.of(VmStatus.STOPPED),
                null, Instant.now(), Instant.now().plusSeconds(300))).block(TIMEOUT);

        // Then
        assertThat(result.outcome()).isEqualTo(Outcome.INVALID_STATE);
        assertThat(result.status()).isEqualTo(VmStatus.RUNNING);
        assertThat(vms.get(vm.id()).block(TIMEOUT).generation()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnyOperationWhileTheCurrentOneHasNotEnded() {
        // Given a VM whose create is still pending
        VmRecord vm = created("dev", Instant.now());

        // When
        BeginResult delete = vms.beginOperation(delete(vm.id())).block(TIMEOUT);

        // Then
        assertThat(delete.outcome()).isEqualTo(Outcome.OPERATION_IN_PROGRESS);
        assertThat(delete.operationId()).isEqualTo(vm.operationId());
        assertThat(vms.get(vm.id()).block(TIMEOUT).generation()).isEqualTo(1);
    }

    @Test
    void shouldAllowADeleteOfAFailedVm() {
        // Given
        VmRecord vm = created("dev", Instant.now());
        vms.apply(VmEvent.failed(vm.id(), 1, null, FailureCode.NO_VALID_HOST, "no host", "worker-1"))
                .block(TIMEOUT);

        // When
        BeginResult delete = vms.beginOperation(delete(vm.id())).block(TIMEOUT);

        // Then
        assertThat(delete.accepted()).isTrue();
        assertThat(delete.status()).isEqualTo(VmStatus.DELETING);
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownOrDeletedVm() {
        // Given
        VmRecord vm = running("dev");
        BeginResult delete = vms.beginOperation(delete(vm.id())).block(TIMEOUT);
        vms.apply(VmEvent.of(vm.id(), delete.generation(), Phase.FINAL, VmStatus.DELETED, null, "agent"))
                .block(TIMEOUT);

        // When
        BeginResult again = vms.beginOperation(delete(vm.id())).block(TIMEOUT);
        BeginResult unknown = vms.beginOperation(delete(VmIds.newVmId())).block(TIMEOUT);

        // Then
        assertThat(again.outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(unknown.outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(vms.operation(delete.operationId()).block(TIMEOUT).state()).isEqualTo("succeeded");
    }

    @Test
    void shouldAcceptExactlyOneOfTwentyParallelStops() {
        // Given
        VmRecord vm = running("dev");

        // When
        List<BeginResult> results = Flux.range(0, 20)
                .flatMap(i -> vms.beginOperation(stop(vm.id())).subscribeOn(Schedulers.parallel()), 20)
                .collectList().block(TIMEOUT);

        // Then
        assertThat(results).hasSize(20);
        assertThat(results).filteredOn(BeginResult::accepted).hasSize(1);
        assertThat(results).filteredOn(r -> !r.accepted())
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.OPERATION_IN_PROGRESS));
        assertThat(vms.get(vm.id()).block(TIMEOUT).generation()).isEqualTo(2);
    }

    @Test
    void shouldFailOnlyTheOperationWhenAFinalEventCarriesAReason() {
        // Given
        VmRecord vm = running("dev");
        BeginResult stop = vms.beginOperation(stop(vm.id())).block(TIMEOUT);

        // When the stop fails but the VM keeps running
        var event = new VmEvent(vm.id(), stop.generation(), VmEvent.version(stop.generation(), Phase.FINAL),
                VmStatus.RUNNING, "sim-1", FailureCode.LIBVIRT_ERROR, "shutdown refused", null, Instant.now(),
                "agent");
        vms.apply(event).block(TIMEOUT);

        // Then
        OperationRecord op = vms.operation(stop.operationId()).block(TIMEOUT);
        assertThat(op.state()).isEqualTo("failed");
        assertThat(op.errorCode()).isEqualTo("LIBVIRT_ERROR");
        assertThat(vms.get(vm.id()).block(TIMEOUT).status()).isEqualTo(VmStatus.RUNNING);
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).doesNotContain(vm.id());
    }

    @Test
    void shouldGiveAnEndedOperationTheRetentionAsTimeToLive() {
        // Given
        VmRecord vm = created("dev", Instant.now());
        assertThat(raw.sync().pttl(RedisKeys.operation(vm.operationId()))).isEqualTo(-1L);

        // When
        vms.apply(VmEvent.of(vm.id(), 1, Phase.FINAL, VmStatus.RUNNING, "sim-1", "agent")).block(TIMEOUT);

        // Then
        long ttl = raw.sync().pttl(RedisKeys.operation(vm.operationId()));
        assertThat(ttl).isPositive().isLessThanOrEqualTo(RETENTION.toMillis());
    }

    @Test
    void shouldPageAProjectsVmsNewestFirstIncludingTiesOfTheSameMillisecond() {
        // Given five VMs of a fresh project, two of them created in the same millisecond
        String project = "p-" + UUID.randomUUID();
        Instant base = Instant.now().minusSeconds(60);
        List<VmRecord> created = new ArrayList<>();
        created.add(created(project, base));
        created.add(created(project, base.plusSeconds(1)));
        created.add(created(project, base.plusSeconds(1)));
        created.add(created(project, base.plusSeconds(2)));
        created.add(created(project, base.plusSeconds(3)));
        created(project + "-other", base.plusSeconds(4));
        List<String> expected = created.stream()
                .sorted((a, b) -> a.createdAt().equals(b.createdAt())
                        ? b.id().compareTo(a.id()) : b.createdAt().compareTo(a.createdAt()))
                .map(VmRecord::id).toList();

        // When
        List<String> paged = new ArrayList<>();
        PageCursor cursor = null;
        for (int i = 0; i < 10; i++) {
            List<VmRecord> page = vms.page(project, cursor, 2).collectList().block(TIMEOUT);
            page.forEach(vm -> paged.add(vm.id()));
            if (page.size() < 2) {
                break;
            }
            cursor = PageCursor.after(page.get(page.size() - 1));
        }

        // Then
        assertThat(paged).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldTakeADeletedVmOutOfItsProjectsListingAndTheListingOfAllVms() {
        // Given
        String project = "p-" + UUID.randomUUID();
        VmRecord vm = running(project);
        BeginResult delete = vms.beginOperation(delete(vm.id())).block(TIMEOUT);

        // When
        vms.apply(VmEvent.of(vm.id(), delete.generation(), Phase.FINAL, VmStatus.DELETED, null, "agent"))
                .block(TIMEOUT);

        // Then
        assertThat(vms.page(project, null, 10).collectList().block(TIMEOUT)).isEmpty();
        // (deleted VMs are never listed: a listing that kept them would read each one only to drop it)
        assertThat(vms.page(null, null, 50).map(VmRecord::id).collectList().block(TIMEOUT)).doesNotContain(vm.id());
        assertThat(vms.get(vm.id()).block(TIMEOUT).status()).isEqualTo(VmStatus.DELETED);
    }

    @Test
    void shouldRecordTheStepsOfACreateOnceEachWhateverTheRedeliveries() {
        // Given
        VmRecord vm = created("dev", Instant.now());
        VmEvent placed = VmEvent.of(vm.id(), 1, Phase.PLACED, VmStatus.PROVISIONING, "sim-2", "worker-1");
        VmEvent executing = VmEvent.of(vm.id(), 1, Phase.EXECUTING, VmStatus.PROVISIONING, "sim-2", "agent");
        VmEvent done = VmEvent.of(vm.id(), 1, Phase.FINAL, VmStatus.RUNNING, "sim-2", "agent");

        // When: each event delivered twice, the placement once more after the end
        for (VmEvent event : List.of(placed, placed, executing, executing, done, done, placed)) {
            vms.apply(event).block(TIMEOUT);
        }

        // Then
        OperationRecord op = vms.operation(vm.operationId()).block(TIMEOUT);
        assertThat(op.steps()).extracting(OperationRecord.Step::name)
                .containsExactly("accepted", "placed", "executing", "finished");
        assertThat(op.steps()).extracting(OperationRecord.Step::state)
                .containsExactly("pending", "provisioning", "provisioning", "running");
        assertThat(op.steps()).extracting(OperationRecord.Step::host).containsExactly(null, "sim-2", "sim-2", "sim-2");
        assertThat(op.steps()).allSatisfy(step -> assertThat(step.at()).isNotNull());
    }

    @Test
    void shouldBeginALifeCycleOperationWithItsAcceptedStepAndEndItWithTheFailure() {
        // Given
        VmRecord vm = running("dev");
        BeginResult stop = vms.beginOperation(stop(vm.id())).block(TIMEOUT);

        // When
        vms.apply(VmEvent.failed(vm.id(), stop.generation(), "sim-1", FailureCode.LIBVIRT_ERROR, "no", "agent"))
                .block(TIMEOUT);

        // Then: the steps are the stop's own, not the create's
        OperationRecord op = vms.operation(stop.operationId()).block(TIMEOUT);
        assertThat(op.state()).isEqualTo("failed");
        assertThat(op.steps()).extracting(OperationRecord.Step::name).containsExactly("accepted", "finished");
        assertThat(op.steps()).extracting(OperationRecord.Step::state).containsExactly("stopping", "failed");
        assertThat(vms.operation(vm.operationId()).block(TIMEOUT).steps()).extracting(OperationRecord.Step::name)
                .containsExactly("accepted", "finished");
    }

    @Test
    void shouldLetAForcedStopReplaceAGracefulStopInProgressAndNothingElse() {
        // Given a VM whose graceful stop is in progress
        VmRecord vm = running("dev");
        BeginResult graceful = vms.beginOperation(new BeginOperation(vm.id(), "stop", List.of(VmStatus.RUNNING),
                VmStatus.STOPPING, Instant.now(), Instant.now().plusSeconds(300), List.of(), true)).block(TIMEOUT);

        // When a reboot comes, then a forced stop that supersedes stops
        BeginResult reboot = vms.beginOperation(new BeginOperation(vm.id(), "reboot", List.of(VmStatus.RUNNING),
                null, Instant.now(), Instant.now().plusSeconds(300), List.of(), false)).block(TIMEOUT);
        BeginResult forced = vms.beginOperation(new BeginOperation(vm.id(), "stop",
                List.of(VmStatus.RUNNING, VmStatus.STOPPING), VmStatus.STOPPING, Instant.now(),
                Instant.now().plusSeconds(300), List.of("stop"), false)).block(TIMEOUT);

        // Then the reboot waits its turn, the forced stop replaces the graceful one, which reads cancelled
        assertThat(reboot.outcome()).isEqualTo(Outcome.OPERATION_IN_PROGRESS);
        assertThat(forced.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(forced.generation()).isEqualTo(graceful.generation() + 1);
        OperationRecord replaced = vms.operation(graceful.operationId()).block(TIMEOUT);
        assertThat(replaced.state()).isEqualTo("cancelled");
        assertThat(replaced.steps()).extracting(OperationRecord.Step::name).containsExactly("accepted", "cancelled");
        assertThat(raw.sync().pttl(RedisKeys.OPERATION_PREFIX + graceful.operationId())).isPositive();
        assertThat(vms.operation(forced.operationId()).block(TIMEOUT).state()).isEqualTo("pending");
        // and a late final event of the replaced stop changes nothing
        vms.apply(VmEvent.of(vm.id(), graceful.generation(), Phase.FINAL, VmStatus.STOPPED, "sim-1", "agent"))
                .block(TIMEOUT);
        assertThat(vms.operation(graceful.operationId()).block(TIMEOUT).state()).isEqualTo("cancelled");
        assertThat(vms.operation(forced.operationId()).block(TIMEOUT).state()).isEqualTo("pending");

        // And a delete waits for the forced stop, which was not begun replaceable
        BeginResult delete = vms.beginOperation(new BeginOperation(vm.id(), "delete", List.of(), VmStatus.DELETING,
                Instant.now(), Instant.now().plusSeconds(300), List.of("stop"), false)).block(TIMEOUT);
        assertThat(delete.outcome()).isEqualTo(Outcome.OPERATION_IN_PROGRESS);
        assertThat(vms.operation(forced.operationId()).block(TIMEOUT).state()).isEqualTo("pending");
    }

    private static BeginOperation stop(String vmId) {
        return new BeginOperation(vmId, "stop", List.of(VmStatus.RUNNING), VmStatus.STOPPING, Instant.now(),
                Instant.now().plusSeconds(300));
    }

    private static BeginOperation delete(String vmId) {
        return new BeginOperation(vmId, "delete", List.of(), VmStatus.DELETING, Instant.now(),
                Instant.now().plusSeconds(300));
    }

    private static VmRecord created(String project, Instant at) {
        VmRecord vm = TestVms.pendingVm(VmIds.newVmId(), at, project);
        return vms.createPending(vm, TestVms.createOperation(vm)).block(TIMEOUT);
    }

    private static VmRecord running(String project) {
        VmRecord vm = created(project, Instant.now());
        vms.apply(VmEvent.of(vm.id(), 1, Phase.FINAL, VmStatus.RUNNING, "sim-1", "agent")).block(TIMEOUT);
        return vms.get(vm.id()).block(TIMEOUT);
    }
}
