package io.vmplane.store;

import java.time.Instant;

/**
 * An asynchronous operation on a VM, as clients poll it.
 *
 * @param kind          {@code create}, later {@code start}, {@code stop}, {@code reboot}, {@code delete}
 * @param state         {@code pending}, {@code running}, {@code succeeded}, {@code failed}, {@code cancelled}
 * @param errorCode     a {@link io.vmplane.schemas.vm.FailureCode} name when failed
 */
public record OperationRecord(String id, String vmId, String project, String kind, String state, String errorCode,
                              String errorMessage, Instant createdAt, Instant updatedAt) {
}
