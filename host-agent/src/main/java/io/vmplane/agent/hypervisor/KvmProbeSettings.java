package io.vmplane.agent.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code virt-type=auto} probes KVM on a qemu host.
 *
 * @param hostId    the agent's host, part of every probe domain's name
 * @param image     the bootable image the probe boots (readable by the QEMU user); empty: no probe, the host
 *                  capabilities decide, unverified
 * @param duration  how long the probe domain must keep executing to prove KVM
 */
public record KvmProbeSettings(String hostId, Optional<Path> image, Duration duration) {

    public KvmProbeSettings {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(image, "image");
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the KVM probe duration must be positive (was: " + duration + ")");
        }
    }
}
