package io.vmplane.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** VM views and their operations. Every instance of every service sees the same data. */
public interface VmStore {

    /**
     * Records a VM accepted by the gateway ({@code pending}, version of phase ACCEPTED) with its operation, unless a
     * VM with that id exists already: then nothing changes. Atomic.
     *
     * @return the stored VM: the new one, or the one that existed
     */
    Mono<VmRecord> createPending(VmRecord vm, OperationRecord operation);

    Mono<VmRecord> get(String vmId);

    Mono<OperationRecord> operation(String operationId);

    /**
     * Applies an event if its version is higher than the stored one (atomically; older or equal versions are
     * ignored), and moves the VM's current operation along: phase ACCEPTED → {@code pending}, PLACED/EXECUTING →
     * {@code running}, FINAL → {@code succeeded} or {@code failed} with the event's reason. OBSERVED changes the VM
     * (and takes it out of the active set) but leaves its operation as it is.
     *
     * @return true if applied
     */
    Mono<Boolean> apply(VmEvent event);

    /** Ids of VMs whose latest operation has not ended, for deadline sweeps. */
    Flux<String> activeVmIds();

    /** All VMs, newest first (admin and tests; paging comes with the list endpoint). */
    Flux<VmRecord> all();

    /**
     * Up to {@code limit} VMs, newest first (by creation time, then id descending), of one project or, with a null
     * project, of every project, starting after {@code after} (null: from the newest). A VM whose final status is
     * {@code deleted} leaves its project's listing but stays in the listing of all projects; callers filter it.
     */
    Flux<VmRecord> page(String projectOrNull, PageCursor after, int limit);

    /**
     * Begins a life-cycle operation in one atomic step: the VM must exist (and not be deleted), its current
     * operation must have ended, unless it was begun {@code replaceable} and its kind is one of
     * {@code request.supersedes()} (it is then {@code cancelled}), and its status must be one of
     * {@code request.allowedStatuses()} (empty: any). On
     * success the VM's generation is incremented, the new operation ({@code pending}) is written with the id
     * {@link io.vmplane.schemas.vm.VmIds#operationIdFor} of the new generation and becomes the VM's current one, the
     * status becomes {@code request.acceptedStatus()} (null: unchanged), the version that of phase ACCEPTED of the
     * new generation, and the VM joins the active set.
     */
    Mono<BeginResult> beginOperation(BeginOperation request);

    /** Where a page starts: after the VM with this creation score (epoch ms) and id. */
    record PageCursor(long createdAtMillis, String vmId) {

        public PageCursor {
            Objects.requireNonNull(vmId, "vmId");
        }

        public static PageCursor after(VmRecord vm) {
            return new PageCursor(vm.createdAt().toEpochMilli(), vm.id());
        }
    }

    /**
     * @param kind            {@code start}, {@code stop}, {@code reboot} or {@code delete}
     * @param allowedStatuses the statuses the operation may start from; empty for any
     * @param acceptedStatus  the VM's status once accepted ({@code stopping}, {@code deleting}), null to keep it
     * @param deadline        the command's deadline
     */
    record BeginOperation(String vmId, String kind, List<VmStatus> allowedStatuses, VmStatus acceptedStatus,
                          Instant now, Instant deadline, List<String> supersedes, boolean replaceable) {

        public BeginOperation {
            Objects.requireNonNull(vmId, "vmId");
            Objects.requireNonNull(kind, "kind");
            allowedStatuses = allowedStatuses == null ? List.of() : List.copyOf(allowedStatuses);
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(deadline, "deadline");
            supersedes = supersedes == null ? List.of() : List.copyOf(supersedes);
        }

        /** An operation that waits for the VM's current one to end. */
        public BeginOperation(String vmId, String kind, List<VmStatus> allowedStatuses, VmStatus acceptedStatus,
                              Instant now, Instant deadline) {
            this(vmId, kind, allowedStatuses, acceptedStatus, now, deadline, List.of(), false);
        }
    }

    /**
     * @param status      the VM's status afterwards (null when it does not exist)
     * @param generation  the VM's generation afterwards (the new one when accepted)
     * @param operationId the VM's current operation afterwards (the new one when accepted)
     */
    record BeginResult(Outcome outcome, VmStatus status, long generation, String operationId) {

        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }
    }

    enum Outcome {
        ACCEPTED, NOT_FOUND, INVALID_STATE, OPERATION_IN_PROGRESS
    }
}
