package io.vmplane.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.vmplane.agent.hypervisor.LibvirtResilience;
import io.vmplane.agent.hypervisor.VirtType;

/**
 * The agent's configuration ({@code vmplane.agent.*}), validated when bound: a bad value stops the start with a
 * message naming the property.
 *
 * @param hostId             this host's id ({@code qemu-1}, {@code sim-1}); the key of its Kafka records
 * @param libvirtUri         the libvirt connection ({@code qemu:///system}, {@code test:///abs/path/sim-1.xml})
 * @param consoleAddress     where console proxies reach this host's VNC/SPICE ports, reported in the inventory
 * @param pinnedOnly         the host takes only VMs pinned to it with {@code placement.host}
 * @param stackId            tag written into every domain's {@code <metadata>}, so a stack finds its own domains
 * @param heartbeatInterval  how often a heartbeat is sent
 * @param inventoryInterval  how often the whole inventory is re-read (every domain definition too: what other libvirt
 *                           clients changed unseen) and republished when it changed
 * @param virtType           {@code auto} (KVM where a probe domain proves it runs guests, else QEMU/TCG),
 *                           {@code kvm} or {@code qemu}
 * @param graphicsListen     the address VNC/SPICE listen on unless a VM's spec names one
 * @param kvmProbeImage      the bootable image {@code virt-type=auto} boots to prove KVM on a qemu host; unset:
 *                           {@value #DEFAULT_KVM_PROBE_IMAGE} if present; empty: no probe (capabilities decide)
 * @param kvmProbeDuration   how long the KVM probe domain must keep running for the agent to choose KVM
 * @param libvirtCallTimeout the longest one libvirt call may take (queueing included); then it counts as a failure
 *                           of the connection and the command is tried again later
 * @param libvirtRetryAttempts attempts of a libvirt call failing with a transient (connection) error, the first
 *                           included
 * @param libvirtRetryBackoff the wait before a call's second attempt, doubled before each further one
 * @param libvirtBreakerOpenDuration how long libvirt's circuit breaker, once open, refuses every call (the host
 *                           reports {@code degraded}) before one call tries libvirtd again
 */
@ConfigurationProperties("vmplane.agent")
public record AgentProperties(
        String hostId,
        String libvirtUri,
        @DefaultValue("127.0.0.1") String consoleAddress,
        @DefaultValue("false") boolean pinnedOnly,
        @DefaultValue("vmplane") String stackId,
        @DefaultValue("3s") Duration heartbeatInterval,
        @DefaultValue("30s") Duration inventoryInterval,
        @DefaultValue("auto") VirtType virtType,
        @DefaultValue("127.0.0.1") String graphicsListen,
        String kvmProbeImage,
        @DefaultValue("6s") Duration kvmProbeDuration,
        @DefaultValue("30s") Duration libvirtCallTimeout,
        @DefaultValue("3") int libvirtRetryAttempts,
        @DefaultValue("200ms") Duration libvirtRetryBackoff,
        @DefaultValue("5s") Duration libvirtBreakerOpenDuration) {

    /** Debian's iPXE image (package ipxe): small, bootable, and it fails early where KVM does not work. */
    public static final String DEFAULT_KVM_PROBE_IMAGE = "/usr/lib/ipxe/ipxe.iso";

    private static final Pattern ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$");

    public AgentProperties {
        require(hostId != null && ID.matcher(hostId).matches(), "host-id",
                "must be set to a host id such as sim-1 (letters, digits, '.', '_', '-')", hostId);
        require(libvirtUri != null && libvirtUri.matches("^[a-z][a-z0-9+]*:.+"), "libvirt-uri",
                "must be a libvirt URI such as qemu:///system or test:///abs/path/host.xml", libvirtUri);
        require(stackId != null && ID.matcher(stackId).matches(), "stack-id",
                "must be a short tag (letters, digits, '.', '_', '-')", stackId);
        require(consoleAddress != null && !consoleAddress.isBlank(), "console-address", "must be set",
                consoleAddress);
        require(graphicsListen != null && !graphicsListen.isBlank(), "graphics-listen", "must be set",
                graphicsListen);
        require(heartbeatInterval != null && heartbeatInterval.compareTo(Duration.ZERO) > 0, "heartbeat-interval",
                "must be positive", heartbeatInterval);
        require(inventoryInterval != null && inventoryInterval.compareTo(Duration.ZERO) > 0, "inventory-interval",
                "must be positive", inventoryInterval);
        require(kvmProbeDuration != null && kvmProbeDuration.compareTo(Duration.ZERO) > 0, "kvm-probe-duration",
                "must be positive", kvmProbeDuration);
        require(positive(libvirtCallTimeout), "libvirt-call-timeout", "must be positive", libvirtCallTimeout);
        require(libvirtRetryAttempts >= 1, "libvirt-retry-attempts", "must be at least 1", libvirtRetryAttempts);
        require(positive(libvirtRetryBackoff), "libvirt-retry-backoff", "must be positive", libvirtRetryBackoff);
        require(positive(libvirtBreakerOpenDuration), "libvirt-breaker-open-duration", "must be positive",
                libvirtBreakerOpenDuration);
        require(kvmProbeImage == null || kvmProbeImage.isBlank() || Path.of(kvmProbeImage).isAbsolute(),
                "kvm-probe-image", "must be an absolute path (or empty for no probe)", kvmProbeImage);
        require(kvmProbeImage == null || kvmProbeImage.isBlank() || !libvirtUri.startsWith("qemu:///")
                        || Files.isReadable(Path.of(kvmProbeImage)),
                "kvm-probe-image", "must name a readable file on this host", kvmProbeImage);
    }

    /** The KVM probe image to boot, if any (see {@link #kvmProbeImage()}). */
    public Optional<Path> kvmProbeImagePath() {
        if (kvmProbeImage == null) {
            Path fallback = Path.of(DEFAULT_KVM_PROBE_IMAGE);
            return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
        }
        return kvmProbeImage.isBlank() ? Optional.empty() : Optional.of(Path.of(kvmProbeImage));
    }

    /** The guard of every libvirt call, from the {@code libvirt-*} properties. */
    public LibvirtResilience libvirtResilience() {
        return new LibvirtResilience(libvirtCallTimeout, libvirtRetryAttempts, libvirtRetryBackoff,
                libvirtBreakerOpenDuration);
    }

    private static boolean positive(Duration duration) {
        return duration != null && duration.compareTo(Duration.ZERO) > 0;
    }

    private static void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("vmplane.agent." + key + " " + rule + " (was: " + value + ")");
        }
    }
}
