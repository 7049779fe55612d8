package io.vmplane.agent.hypervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import io.vmplane.agent.domain.DomainType;

/**
 * The pure half of the KVM probe: what the looks at the probe domain, in order, mean. Fed one look at a time; not
 * thread-safe (one probe, one thread).
 *
 * <p>QEMU (TCG) as soon as the domain is seen paused, in shutdown, shut off, crashed or gone. KVM once the domain
 * has been running for the probe duration <em>and</em> the guest got the chance to fail: it either used that much
 * CPU, or went idle (its CPU time grew by less than {@value #IDLE_SHARE_PERCENT}% of the last second). A guest
 * that is busy but starved (the agent starting up competes for the same cores, and where KVM fails it fails after
 * a fixed amount of guest work, not of wall time) is watched longer, up to {@value #CAP_FACTOR} times the
 * duration; one still unproven then means QEMU.
 */
public final class KvmProbeVerdict {

    static final int IDLE_SHARE_PERCENT = 10;
    static final int CAP_FACTOR = 5;
    private static final Duration IDLE_WINDOW = Duration.ofSeconds(1);

    /**
     * One look at the probe domain.
     *
     * @param sinceStart  time since the domain was started
     * @param status      its state, or empty when it is gone (a transient domain vanishes when it shuts off)
     * @param cpuTime     the CPU time its QEMU process used so far (zero when gone)
     */
    public record Look(Duration sinceStart, Optional<DomainStatus> status, Duration cpuTime) {

        public Look {
            Objects.requireNonNull(sinceStart, "sinceStart");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(cpuTime, "cpuTime");
        }
    }

    private final Duration duration;
    private final Duration cap;
    private final List<Look> looks = new ArrayList<>();

    /** @param duration how long the probe domain must run (at least) for KVM */
    public KvmProbeVerdict(Duration duration) {
        this.duration = duration;
        this.cap = duration.multipliedBy(CAP_FACTOR);
    }

    /** The decision after this look, or empty while the probe must keep looking. */
    public Optional<VirtTypeDecision> afterLook(Look look) {
        looks.add(look);
        String when = seconds(look.sinceStart()) + " after its start";
        if (look.status().isEmpty()) {
            return qemu("had ended (shut off) " + when);
        }
        DomainStatus status = look.status().get();
        String cpu = " (" + seconds(look.cpuTime()) + " of CPU)";
        if (status.failedToRun()) {
            return qemu("was " + status + " " + when + cpu);
        }
        boolean over = look.sinceStart().compareTo(duration) >= 0;
        if (status.executing() && over) {
            if (look.cpuTime().compareTo(duration) >= 0) {
                return kvm("was still " + status + " " + when + cpu);
            }
            if (idle(look)) {
                return kvm("was still " + status + " and idle " + when + cpu);
            }
        }
        if (look.sinceStart().compareTo(cap) >= 0) {
            return qemu("was " + status + " but had not proven KVM " + when + cpu
                    + ": starved of CPU, or never idle");
        }
        return Optional.empty();
    }

    /** When the probe domain could not even be started. */
    public static VirtTypeDecision notStarted(String error) {
        return new VirtTypeDecision(DomainType.QEMU, "the KVM probe domain did not start: " + error);
    }

    /** Whether the CPU time grew by less than the idle share since the last look at least a window ago. */
    private boolean idle(Look now) {
        Duration windowStart = now.sinceStart().minus(IDLE_WINDOW);
        for (int i = looks.size() - 2; i >= 0; i--) {
            Look earlier = looks.get(i);
            if (earlier.sinceStart().compareTo(windowStart) <= 0) {
                long wall = now.sinceStart().minus(earlier.sinceStart()).toNanos();
                long used = now.cpuTime().minus(earlier.cpuTime()).toNanos();
                return used * 100 < wall * IDLE_SHARE_PERCENT;
            }
        }
        return false;
    }

    private static Optional<VirtTypeDecision> kvm(String what) {
        return Optional.of(new VirtTypeDecision(DomainType.KVM, "the KVM probe domain " + what));
    }

    private static Optional<VirtTypeDecision> qemu(String what) {
        return Optional.of(new VirtTypeDecision(DomainType.QEMU, "the KVM probe domain " + what));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
