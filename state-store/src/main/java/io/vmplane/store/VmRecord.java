package io.vmplane.store;

import java.time.Instant;

import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;

/**
 * A VM as the state store holds it: the accepted spec plus the latest applied {@link io.vmplane.schemas.messages.VmEvent}.
 *
 * @param generation   the generation of the VM's latest accepted command
 * @param version      the version of the latest applied event
 * @param operationId  the operation of the latest accepted command
 * @param deadline     the latest command's deadline
 * @param domainXml    the live domain XML as the agent last reported it, or null
 */
public record VmRecord(String id, String name, String project, String user, VmStatus status, String host,
                       FailureCode reason, String message, VmSpec spec, String domainXml, long generation,
                       long version, String operationId, Instant deadline, Instant createdAt, Instant updatedAt) {
}
