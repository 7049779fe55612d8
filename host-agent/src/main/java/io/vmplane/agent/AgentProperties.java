package io.vmplane.agent;

import java.time.Duration;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
 * @param inventoryInterval  how often the inventory is re-read and republished when it changed
 * @param virtType           {@code auto} (KVM when available, else QEMU/TCG), {@code kvm} or {@code qemu}
 * @param graphicsListen     the address VNC/SPICE listen on unless a VM's spec names one
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
        @DefaultValue("127.0.0.1") String graphicsListen) {

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
    }

    private static void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("vmplane.agent." + key + " " + rule + " (was: " + value + ")");
        }
    }
}
