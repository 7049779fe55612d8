package io.vmplane.console.session;

import java.util.Comparator;
import java.util.List;

import io.vmplane.console.ConsoleProperties.BusyPolicy;
import io.vmplane.store.console.ConsoleSession;

/**
 * The pure decision whether a new session may open, from the counts and the VM's live sessions (across instances).
 * No I/O: the registry gathers the inputs and acts on the answer.
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

    /** Open it after the listed older sessions of the VM are taken over (closed). */
    public record TakeOver(List<ConsoleSession> older) implements Decision {
    }

    /** The limits. */
    public record Limits(int perVm, int perUser, int perInstance, BusyPolicy policy) {
    }

    private Admission() {
    }

    /**
     * @param limits           the configured limits
     * @param instanceSessions live sessions on this instance
     * @param userSessions     live sessions of the user on this instance
     * @param vmSessions       the VM's live sessions across all instances
     */
    public static Decision decide(Limits limits, int instanceSessions, int userSessions,
                                  List<ConsoleSession> vmSessions) {
        if (instanceSessions >= limits.perInstance()) {
            return new Busy("this console proxy holds its maximum of " + limits.perInstance() + " sessions");
        }
        if (userSessions >= limits.perUser()) {
            return new Busy("the user holds the maximum of " + limits.perUser() + " console sessions");
        }
        if (vmSessions.size() < limits.perVm()) {
            return new Admit();
        }
        if (limits.policy() == BusyPolicy.REFUSE) {
            return new Busy("the VM's console is in use (at most " + limits.perVm() + " session"
                    + (limits.perVm() == 1 ? "" : "s") + ")");
        }
        int excess = vmSessions.size() - limits.perVm() + 1;
        List<ConsoleSession> oldest = vmSessions.stream()
                .sorted(Comparator.comparing(ConsoleSession::connectedAt).thenComparing(ConsoleSession::id))
                .limit(excess).toList();
        return new TakeOver(oldest);
    }
}
