package io.vmplane.console.session;

import java.util.List;
import java.util.Optional;

import io.vmplane.console.ConsoleProperties.BusyPolicy;

/**
 * The pure decision whether a new session may open, from counts (this instance's sessions, the user's on this
 * instance, the VM's across instances) and the ids of the VM's oldest sessions when it is full. No I/O: the registry
 * gathers the inputs and acts on the answer.
 */
public final class Admission {

    /** The answer. */
    public sealed interface Decision {
    }

    /** Open it. */
    public record Admit() implements Decision {
    }

    /** Refuse it with {@code CONSOLE_BUSY}; {@code message} says which limit. */
    public record Busy(String message) implements Decision {
    }

    /** Open it after the listed older sessions of the VM (ids, oldest first) are taken over (closed). */
    public record TakeOver(List<String> older) implements Decision {
    }

    /** The limits. */
    public record Limits(int perVm, int perUser, int perInstance, BusyPolicy policy) {

        /** The per-VM limit whose excess the store must name (the sessions to take over); 0 under refuse. */
        public int takeOverLimit() {
            return policy == BusyPolicy.TAKEOVER ? perVm : 0;
        }
    }

    private Admission() {
    }

    /**
     * @param limits           the configured limits
     * @param instanceSessions live sessions on this instance
     * @param userSessions     live sessions of the user on this instance
     * @param vmSessions       the VM's other live sessions across all instances
     * @param oldest           ids of the VM's oldest sessions, oldest first: at least the excess over the per-VM
     *                         limit when the VM is full under {@code takeover} (see {@link Limits#takeOverLimit})
     */
    public static Decision decide(Limits limits, int instanceSessions, int userSessions, int vmSessions,
                                  List<String> oldest) {
        Optional<Busy> local = refuseLocally(limits, instanceSessions, userSessions);
        if (local.isPresent()) {
            return local.get();
        }
        if (vmSessions < limits.perVm()) {
            return new Admit();
        }
        if (limits.policy() == BusyPolicy.REFUSE) {
            return new Busy("the VM's console is in use (at most " + limits.perVm() + " session"
                    + (limits.perVm() == 1 ? "" : "s") + ")");
        }
        int excess = vmSessions - limits.perVm() + 1;
        return new TakeOver(List.copyOf(oldest.subList(0, Math.min(excess, oldest.size()))));
    }

    /** The refusal of the instance or user limit, which needs nothing from the store; empty when both allow. */
    public static Optional<Busy> refuseLocally(Limits limits, int instanceSessions, int userSessions) {
        if (instanceSessions >= limits.perInstance()) {
            return Optional.of(new Busy("this console proxy holds its maximum of " + limits.perInstance()
                    + " sessions"));
        }
        if (userSessions >= limits.perUser()) {
            return Optional.of(new Busy("the user holds the maximum of " + limits.perUser() + " console sessions"));
        }
        return Optional.empty();
    }
}
