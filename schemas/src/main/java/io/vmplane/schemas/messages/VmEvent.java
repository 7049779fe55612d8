package io.vmplane.schemas.messages;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A change of a VM's state, on {@link Topics#VM_EVENTS}, keyed by VM id. The state store applies an event only if
 * its {@link #version()} is higher than the one it holds, so the status only moves forward whatever the order of
 * delivery, and the first terminal event of a generation wins.
 *
 * @param version    {@link #version(long, Phase)}
 * @param host       the host the VM is placed on, or null
 * @param reason     the failure code, for {@link VmStatus#FAILED}
 * @param message    a human message for the failure
 * @param domainXml  the live libvirt domain XML as the agent last read it, or null
 * @param source     who emitted the event ({@code worker-1}, {@code agent:sim-1}), for people
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmEvent(String vmId, long generation, long version, VmStatus status, String host, FailureCode reason,
                      String message, String domainXml, Instant at, String source) {

    /**
     * Where in a generation's life an event stands; a later phase wins over an earlier one. {@link #OBSERVED} is a
     * fact observed after the operation ended (a host lost the VM's domain): it outranks {@link #FINAL} of the same
     * generation, a later generation outranks it, and it changes the VM, not its operation.
     */
    public enum Phase {
        ACCEPTED(0), PLACED(1), EXECUTING(2), FINAL(8), OBSERVED(12);

        private final int rank;

        Phase(int rank) {
            this.rank = rank;
        }
    }

    /** The ordering key: generation first, then phase. Two final events of one generation tie: the first wins. */
    public static long version(long generation, Phase phase) {
        return generation * 16 + phase.rank;
    }

    public static VmEvent of(String vmId, long generation, Phase phase, VmStatus status, String host, String source) {
        return new VmEvent(vmId, generation, version(generation, phase), status, host, null, null, null,
                Instant.now(), source);
    }

    public static VmEvent failed(String vmId, long generation, String host, FailureCode reason, String message,
                                 String source) {
        return new VmEvent(vmId, generation, version(generation, Phase.FINAL), VmStatus.FAILED, host, reason, message,
                null, Instant.now(), source);
    }

    public VmEvent withDomainXml(String xml) {
        return new VmEvent(vmId, generation, version, status, host, reason, message, xml, at, source);
    }
}
