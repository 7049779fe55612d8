package io.vmplane.agent.hypervisor;

import java.util.List;
import java.util.Objects;

/**
 * A domain's state and its reason, as libvirt's {@code virDomainGetState} reports them, named the way
 * {@code virsh domstate --reason} prints them ({@code paused (unknown)}).
 *
 * @param power   the state
 * @param reason  why the domain is in it ({@code booted}, {@code unknown}, {@code panicked}, …)
 */
public record DomainStatus(Power power, String reason) {

    /** {@code virDomainState}, in libvirt's order. */
    public enum Power {
        NO_STATE("no state"), RUNNING("running"), BLOCKED("idle"), PAUSED("paused"), SHUTDOWN("in shutdown"),
        SHUT_OFF("shut off"), CRASHED("crashed"), PM_SUSPENDED("pmsuspended");

        private final String words;

        Power(String words) {
            this.words = words;
        }
    }

    /** The reasons of each state, indexed by libvirt's {@code virDomain<State>Reason} numbers. */
    private static final List<List<String>> REASONS = List.of(
            List.of("unknown"),
            List.of("unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled",
                    "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed"),
            List.of("unknown"),
            List.of("unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot",
                    "shutting down", "creating snapshot", "crashed", "starting up", "post-copy",
                    "post-copy failed", "api error"),
            List.of("unknown", "user"),
            List.of("unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot",
                    "daemon"),
            List.of("unknown", "panicked"),
            List.of("unknown"));

    public DomainStatus {
        Objects.requireNonNull(power, "power");
        Objects.requireNonNull(reason, "reason");
    }

    /** From libvirt's numbers; a number this code does not know is kept as {@code state N} / {@code reason N}. */
    public static DomainStatus of(int state, int reason) {
        if (state < 0 || state >= Power.values().length) {
            throw new IllegalArgumentException("unknown libvirt domain state " + state + " (reason " + reason + ")");
        }
        List<String> reasons = REASONS.get(state);
        return new DomainStatus(Power.values()[state],
                reason >= 0 && reason < reasons.size() ? reasons.get(reason) : "reason " + reason);
    }

    /** Whether the domain has a running QEMU process (libvirt's "active"): anything but shut off. */
    public boolean active() {
        return power != Power.SHUT_OFF;
    }

    /** Whether the guest executes: running, or idle (blocked on a resource). */
    public boolean executing() {
        return power == Power.RUNNING || power == Power.BLOCKED;
    }

    /**
     * Whether a domain seen in this state right after it was started has failed to run: paused (a KVM emulation
     * failure pauses the guest), in shutdown, shut off or crashed.
     */
    public boolean failedToRun() {
        return switch (power) {
            case PAUSED, SHUTDOWN, SHUT_OFF, CRASHED -> true;
            case NO_STATE, RUNNING, BLOCKED, PM_SUSPENDED -> false;
        };
    }

    @Override
    public String toString() {
        return power.words + " (" + reason + ")";
    }
}
