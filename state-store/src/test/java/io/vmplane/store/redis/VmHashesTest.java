package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import org.junit.jupiter.api.Test;

class VmHashesTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void shouldRoundTripAVmThroughItsHash() {
        // Given
        VmRecord vm = new VmRecord("vm-1", "test-vm", "dev", "alice", VmStatus.FAILED, "sim-1", FailureCode.TIMEOUT,
                "too late", TestVms.SPEC, "<domain/>", 3, 56, "op-1", NOW.plusSeconds(60), NOW, NOW.plusSeconds(1));

        // When
        VmRecord back = VmHashes.vmFromHash("vm-1", VmHashes.toHash(vm));

        // Then
        assertThat(back).isEqualTo(vm);
    }

    @Test
    void shouldLeaveNullFieldsOutOfTheHash() {
        // Given
        VmRecord vm = TestVms.pendingVm(VmIds.newVmId(), NOW);

        // When
        var hash = VmHashes.toHash(vm);

        // Then
        assertThat(hash).doesNotContainKeys("host", "reason", "message", "domain_xml")
                .containsEntry("status", "pending")
                .containsEntry("version", "16")
                .containsEntry("generation", "1")
                .containsEntry("created_at", "2026-01-02T03:04:05.678Z");
        assertThat(VmHashes.vmFromHash(vm.id(), hash)).isEqualTo(vm);
    }

    @Test
    void shouldRoundTripAnOperationThroughItsHash() {
        // Given
        OperationRecord op = new OperationRecord("op-1", "vm-1", "dev", "create", "failed", "NO_VALID_HOST",
                "no host", NOW, NOW.plusSeconds(2), List.of(OperationRecord.Step.accepted("pending", NOW),
                        new OperationRecord.Step("finished", "failed", "sim-1", NOW.plusSeconds(2))));

        // When
        OperationRecord back = VmHashes.operationFromHash("op-1", VmHashes.toHash(op));

        // Then
        assertThat(back).isEqualTo(op);
    }

    @Test
    void shouldReadTheStepsTheScriptsWriteAndNoneFromAnUnreadableField() {
        // Given: as Lua's cjson writes them, keys in any order, host absent
        String scripted = "[{\"at\":\"2026-01-02T03:04:05.678Z\",\"state\":\"stopping\",\"name\":\"accepted\"},"
                + "{\"host\":\"sim-1\",\"name\":\"finished\",\"state\":\"stopped\",\"at\":\"2026-01-02T03:04:06Z\"}]";

        // When / Then
        assertThat(VmHashes.steps(scripted)).containsExactly(OperationRecord.Step.accepted("stopping", NOW),
                new OperationRecord.Step("finished", "stopped", "sim-1", Instant.parse("2026-01-02T03:04:06Z")));
        assertThat(VmHashes.steps("{not json")).isEmpty();
        assertThat(VmHashes.steps(null)).isEmpty();
    }

    @Test
    void shouldCountOnlyPendingAndRunningOperationsAsActive() {
        // Given
        OperationRecord pending = operation("pending");

        // When / Then
        assertThat(VmHashes.active(pending)).isTrue();
        assertThat(VmHashes.active(operation("running"))).isTrue();
        assertThat(VmHashes.active(operation("succeeded"))).isFalse();
        assertThat(VmHashes.active(operation("failed"))).isFalse();
        assertThat(VmHashes.active(operation("cancelled"))).isFalse();
    }

    @Test
    void shouldPassAbsentEventFieldsAsEmptyStrings() {
        // Given
        VmEvent event = new VmEvent("vm-1", 2, VmEvent.version(2, VmEvent.Phase.PLACED), VmStatus.PROVISIONING, null,
                null, null, null, null, "worker-1");

        // When
        List<String> args = VmHashes.applyArgs(event, NOW);

        // Then
        assertThat(args).containsExactly("33", "2", "provisioning", "", "", "", "", NOW.toString(), "vm-1",
                "vmplane:op:");
    }

    @Test
    void shouldPassAFailedEventsReasonMessageAndTime() {
        // Given
        VmEvent event = new VmEvent("vm-1", 1, 24, VmStatus.FAILED, "sim-1", FailureCode.LIBVIRT_ERROR, "boom",
                "<domain/>", NOW, "agent:sim-1");

        // When
        List<String> args = VmHashes.applyArgs(event, NOW.plusSeconds(5));

        // Then
        assertThat(args).containsExactly("24", "1", "failed", "sim-1", "LIBVIRT_ERROR", "boom", "<domain/>",
                NOW.toString(), "vm-1", "vmplane:op:");
    }

    @Test
    void shouldReadAFlatReplyAsPairs() {
        // Given
        List<Object> flat = List.of("a", "1", "b", "2");

        // When / Then
        assertThat(VmHashes.pairs(flat)).containsExactly(java.util.Map.entry("a", "1"), java.util.Map.entry("b", "2"));
        assertThat(VmHashes.flatten(VmHashes.pairs(flat))).isEqualTo(flat);
    }

    private static OperationRecord operation(String state) {
        return new OperationRecord("op-1", "vm-1", "dev", "create", state, null, null, NOW, NOW);
    }
}
