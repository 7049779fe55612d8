package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisVmStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static StateStores stores;
    private static VmStore vms;

    @BeforeAll
    static void connect() {
        stores = StateStores.connect(SharedInfra.redis().uri());
        vms = stores.vms();
    }

    @AfterAll
    static void close() {
        stores.close();
    }

    @Test
    void shouldCreatePendingVmWithItsOperation() {
        // Given
        VmRecord vm = TestVms.pendingVm(VmIds.newVmId(), Instant.now());
        OperationRecord op = TestVms.createOperation(vm);

        // When
        VmRecord created = vms.createPending(vm, op).block(TIMEOUT);

        // Then
        assertThat(created).isEqualTo(vm);
        assertThat(vms.get(vm.id()).block(TIMEOUT)).isEqualTo(vm);
        assertThat(vms.operation(op.id()).block(TIMEOUT)).isEqualTo(op);
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).contains(vm.id());
        assertThat(vms.all().map(VmRecord::id).collectList().block(TIMEOUT)).contains(vm.id());
    }

    @Test
    void shouldKeepTheFirstVmWhenCreatePendingRepeats() {
        // Given
        VmRecord first = TestVms.pendingVm(VmIds.newVmId(), Instant.now());
        vms.createPending(first, TestVms.createOperation(first)).block(TIMEOUT);
        VmRecord retry = new VmRecord(first.id(), "other-name", "dev", "bob", VmStatus.PENDING, null, null, null,
                TestVms.SPEC, null, 1, first.version(), first.operationId(), first.deadline(),
                first.createdAt().plusSeconds(5), first.createdAt().plusSeconds(5));

        // When
        VmRecord answer = vms.createPending(retry, TestVms.createOperation(retry)).block(TIMEOUT);

        // Then
        assertThat(answer).isEqualTo(first);
        assertThat(vms.get(first.id()).block(TIMEOUT)).isEqualTo(first);
        assertThat(vms.operation(first.operationId()).block(TIMEOUT).createdAt()).isEqualTo(first.createdAt());
    }

    @Test
    void shouldAnswerNothingForAnUnknownVmOrOperation() {
        // Given
        String vmId = VmIds.newVmId();

        // When / Then
        assertThat(vms.get(vmId).blockOptional(TIMEOUT)).isEmpty();
        assertThat(vms.operation(VmIds.operationIdFor(vmId, 1)).blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void shouldIgnoreEventsWithOlderOrEqualVersions() {
        // Given
        VmRecord vm = created();
        assertThat(vms.apply(event(vm, Phase.PLACED, VmStatus.PROVISIONING, "sim-1")).block(TIMEOUT)).isTrue();

        // When
        boolean equal = vms.apply(event(vm, Phase.PLACED, VmStatus.PROVISIONING, "sim-2")).block(TIMEOUT);
        boolean older = vms.apply(event(vm, Phase.ACCEPTED, VmStatus.PENDING, null)).block(TIMEOUT);

        // Then
        assertThat(equal).isFalse();
        assertThat(older).isFalse();
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.status()).isEqualTo(VmStatus.PROVISIONING);
        assertThat(stored.host()).isEqualTo("sim-1");
        assertThat(stored.version()).isEqualTo(VmEvent.version(1, Phase.PLACED));
    }

    @Test
    void shouldKeepTheFirstFinalEventOfAGeneration() {
        // Given
        VmRecord vm = created();
        vms.apply(VmEvent.failed(vm.id(), 1, null, FailureCode.TIMEOUT, "deadline passed", "worker-1"))
                .block(TIMEOUT);

        // When
        boolean applied = vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, "sim-1").withDomainXml("<domain/>"))
                .block(TIMEOUT);

        // Then
        assertThat(applied).isFalse();
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.status()).isEqualTo(VmStatus.FAILED);
        assertThat(stored.reason()).isEqualTo(FailureCode.TIMEOUT);
        assertThat(stored.message()).isEqualTo("deadline passed");
        assertThat(stored.domainXml()).isNull();
        OperationRecord op = vms.operation(vm.operationId()).block(TIMEOUT);
        assertThat(op.state()).isEqualTo("failed");
        assertThat(op.errorCode()).isEqualTo("TIMEOUT");
        assertThat(op.errorMessage()).isEqualTo("deadline passed");
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).doesNotContain(vm.id());
    }

    @Test
    void shouldEndFinalWhenFinalArrivesBeforePlaced() {
        // Given
        VmRecord vm = created();
        vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, "sim-1").withDomainXml("<domain>live</domain>"))
                .block(TIMEOUT);

        // When
        boolean placedApplied = vms.apply(event(vm, Phase.PLACED, VmStatus.PROVISIONING, "sim-1")).block(TIMEOUT);

        // Then
        assertThat(placedApplied).isFalse();
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.status()).isEqualTo(VmStatus.RUNNING);
        assertThat(stored.host()).isEqualTo("sim-1");
        assertThat(stored.domainXml()).isEqualTo("<domain>live</domain>");
        assertThat(stored.version()).isEqualTo(VmEvent.version(1, Phase.FINAL));
        assertThat(vms.operation(vm.operationId()).block(TIMEOUT).state()).isEqualTo("succeeded");
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).doesNotContain(vm.id());
    }

    @Test
    void shouldMoveTheOperationAlongWithThePhases() {
        // Given
        VmRecord vm = created();

        // When
        vms.apply(event(vm, Phase.PLACED, VmStatus.PROVISIONING, "sim-1")).block(TIMEOUT);
        OperationRecord placed = vms.operation(vm.operationId()).block(TIMEOUT);
        vms.apply(event(vm, Phase.EXECUTING, VmStatus.PROVISIONING, null)).block(TIMEOUT);
        OperationRecord executing = vms.operation(vm.operationId()).block(TIMEOUT);
        vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, null).withDomainXml("<domain/>")).block(TIMEOUT);
        OperationRecord done = vms.operation(vm.operationId()).block(TIMEOUT);

        // Then
        assertThat(placed.state()).isEqualTo("running");
        assertThat(executing.state()).isEqualTo("running");
        assertThat(done.state()).isEqualTo("succeeded");
        assertThat(done.errorCode()).isNull();
        assertThat(done.updatedAt()).isAfterOrEqualTo(done.createdAt());
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.host()).as("an event without a host keeps the stored one").isEqualTo("sim-1");
        assertThat(stored.status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void shouldFailTheVmButLeaveItsSucceededOperationForAnObservedEvent() {
        // Given
        VmRecord vm = created();
        vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, "sim-1").withDomainXml("<domain/>")).block(TIMEOUT);
        VmEvent lost = new VmEvent(vm.id(), vm.generation(), VmEvent.version(vm.generation(), Phase.OBSERVED),
                VmStatus.FAILED, "sim-1", FailureCode.HOST_LOST, "the host lost the VM's domain", null,
                Instant.now(), "worker-1");

        // When
        boolean applied = vms.apply(lost).block(TIMEOUT);
        boolean again = vms.apply(lost).block(TIMEOUT);

        // Then
        assertThat(applied).isTrue();
        assertThat(again).isFalse();
        VmRecord stored = vms.get(vm.id()).block(TIMEOUT);
        assertThat(stored.status()).isEqualTo(VmStatus.FAILED);
        assertThat(stored.reason()).isEqualTo(FailureCode.HOST_LOST);
        assertThat(stored.message()).isEqualTo("the host lost the VM's domain");
        assertThat(stored.version()).isEqualTo(VmEvent.version(vm.generation(), Phase.OBSERVED));
        assertThat(stored.host()).isEqualTo("sim-1");
        OperationRecord op = vms.operation(vm.operationId()).block(TIMEOUT);
        assertThat(op.state()).isEqualTo("succeeded");
        assertThat(op.errorCode()).isNull();
        assertThat(op.errorMessage()).isNull();
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).doesNotContain(vm.id());
    }

    @Test
    void shouldLetAnObservedEventOutrankTheFinalOfItsGenerationOnly() {
        // Given
        VmRecord vm = created();
        VmEvent observed = new VmEvent(vm.id(), vm.generation(), VmEvent.version(vm.generation(), Phase.OBSERVED),
                VmStatus.FAILED, "sim-1", FailureCode.HOST_LOST, "lost", null, Instant.now(), "worker-1");

        // When
        vms.apply(observed).block(TIMEOUT);
        boolean finalApplied = vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, "sim-1")).block(TIMEOUT);

        // Then
        assertThat(finalApplied).isFalse();
        assertThat(VmEvent.version(vm.generation() + 1, Phase.ACCEPTED))
                .isGreaterThan(VmEvent.version(vm.generation(), Phase.OBSERVED));
        assertThat(vms.get(vm.id()).block(TIMEOUT).status()).isEqualTo(VmStatus.FAILED);
    }

    @Test
    void shouldKeepTheDomainXmlWhenALaterEventCarriesNone() {
        // Given
        VmRecord vm = created();
        vms.apply(event(vm, Phase.EXECUTING, VmStatus.PROVISIONING, "sim-1").withDomainXml("<domain>v1</domain>"))
                .block(TIMEOUT);

        // When
        vms.apply(event(vm, Phase.FINAL, VmStatus.RUNNING, "sim-1")).block(TIMEOUT);

        // Then
        assertThat(vms.get(vm.id()).block(TIMEOUT).domainXml()).isEqualTo("<domain>v1</domain>");
    }

    @Test
    void shouldIgnoreAnEventForAnUnknownVm() {
        // Given
        String vmId = VmIds.newVmId();

        // When
        boolean applied = vms.apply(VmEvent.of(vmId, 1, Phase.PLACED, VmStatus.PROVISIONING, "sim-1", "worker-1"))
                .block(TIMEOUT);

        // Then
        assertThat(applied).isFalse();
        assertThat(vms.get(vmId).blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void shouldLeaveTheOperationAloneForAnEventOfAnotherGeneration() {
        // Given
        VmRecord vm = created();

        // When
        boolean applied = vms.apply(VmEvent.of(vm.id(), 2, Phase.PLACED, VmStatus.PROVISIONING, "sim-1", "worker-1"))
                .block(TIMEOUT);

        // Then
        assertThat(applied).isTrue();
        assertThat(vms.operation(vm.operationId()).block(TIMEOUT).state()).isEqualTo("pending");
        assertThat(vms.activeVmIds().collectList().block(TIMEOUT)).contains(vm.id());
    }

    @Test
    void shouldListVmsNewestFirst() {
        // Given
        Instant base = Instant.now();
        VmRecord older = TestVms.pendingVm(VmIds.newVmId(), base);
        VmRecord newer = TestVms.pendingVm(VmIds.newVmId(), base.plusSeconds(1));
        vms.createPending(newer, TestVms.createOperation(newer)).block(TIMEOUT);
        vms.createPending(older, TestVms.createOperation(older)).block(TIMEOUT);

        // When
        var ids = vms.all().map(VmRecord::id)
                .filter(id -> id.equals(older.id()) || id.equals(newer.id()))
                .collectList().block(TIMEOUT);

        // Then
        assertThat(ids).containsExactly(newer.id(), older.id());
    }

    private static VmRecord created() {
        VmRecord vm = TestVms.pendingVm(VmIds.newVmId(), Instant.now());
        return vms.createPending(vm, TestVms.createOperation(vm)).block(TIMEOUT);
    }

    private static VmEvent event(VmRecord vm, Phase phase, VmStatus status, String host) {
        return VmEvent.of(vm.id(), vm.generation(), phase, status, host, "test");
    }
}
