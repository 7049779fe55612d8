package io.vmplane.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;

/** Plain values for the VM store's tests: a VM as the gateway accepts it, with its create operation. */
final class TestVms {

    static final VmSpec SPEC = new VmSpec("test-vm", 4096, 2,
            new StorageSpec("default", "ubuntu.iso",
                    List.of(new DiskSpec(DiskSpec.Action.CREATE, 20L, "default", null, DiskSpec.Format.QCOW2,
                            DiskSpec.Bus.VIRTIO))),
            List.of(), null, null);

    private TestVms() {
    }

    static VmRecord pendingVm(String vmId, Instant createdAt) {
        return pendingVm(vmId, createdAt, "dev");
    }

    static VmRecord pendingVm(String vmId, Instant createdAt, String project) {
        Instant at = createdAt.truncatedTo(ChronoUnit.MILLIS);
        return new VmRecord(vmId, SPEC.name(), project, "alice", VmStatus.PENDING, null, null, null, SPEC, null, 1,
                VmEvent.version(1, VmEvent.Phase.ACCEPTED), VmIds.operationIdFor(vmId, 1),
                at.plus(Duration.ofMinutes(10)), at, at);
    }

    static OperationRecord createOperation(VmRecord vm) {
        return new OperationRecord(vm.operationId(), vm.id(), vm.project(), "create", "pending", null, null,
                vm.createdAt(), vm.createdAt(), List.of(OperationRecord.Step.accepted("pending", vm.createdAt())));
    }
}
