package io.vmplane.worker.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.worker.placement.Rejection.Reason;

/**
 * Placement as a function: from a VM request and the hosts as the registry and the ledger see them, to the hosts
 * that can take the VM (in the order the strategy prefers, each with the PCI devices to claim) or the reason each
 * host cannot. No I/O: the caller reads the views and claims the result.
 */
public final class Placement {

    private static final long GIB = 1L << 30;

    private Placement() {
    }

    public static PlacementDecision decide(VmSpec spec, List<HostView> hosts, PlacementStrategy strategy) {
        String pin = spec.placement() == null ? null : spec.placement().host();
        if (pin != null && hosts.stream().noneMatch(h -> h.id().equals(pin))) {
            return new PlacementDecision.NoValidHost(
                    "no valid host for " + describe(spec) + ": pinned host '" + pin + "' is not a known host",
                    List.of());
        }
        List<Candidate> candidates = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        for (HostView host : hosts) {
            Rejection rejection = filter(spec, pin, host);
            if (rejection != null) {
                rejections.add(rejection);
                continue;
            }
            PciPicker.Result pci = PciPicker.pick(spec.pciDevices(), host.inventory().pciDevices(),
                    host.usage().pciAddresses());
            if (!pci.ok()) {
                rejections.add(new Rejection(host.id(), Reason.PCI_DEVICE_UNAVAILABLE, pci.failure()));
                continue;
            }
            candidates.add(new Candidate(host.id(), pci.addresses(), host.freeVcpus(), host.freeMemoryMib()));
        }
        if (candidates.isEmpty()) {
            String why = hosts.isEmpty() ? "no hosts are registered"
                    : rejections.stream().map(Rejection::toString).collect(Collectors.joining("; "));
            return new PlacementDecision.NoValidHost("no valid host for " + describe(spec) + ": " + why, rejections);
        }
        candidates.sort(strategy.order());
        return new PlacementDecision.Placed(candidates, rejections);
    }

    /** The first filter a host fails, PCI devices aside, or null when it passes them all. */
    private static Rejection filter(VmSpec spec, String pin, HostView host) {
        String id = host.id();
        if (host.status() != HostStatus.UP) {
            return new Rejection(id, Reason.HOST_NOT_UP, "host is " + host.status().wire());
        }
        if (pin != null && !pin.equals(id)) {
            return new Rejection(id, Reason.NOT_PINNED_HOST, "the VM is pinned to " + pin);
        }
        if (pin == null && host.inventory().pinnedOnly()) {
            return new Rejection(id, Reason.PINNED_ONLY, "host takes only VMs pinned to it");
        }
        if (host.freeVcpus() < spec.vcpus()) {
            return new Rejection(id, Reason.INSUFFICIENT_VCPUS,
                    "free vCPUs " + host.freeVcpus() + " < " + spec.vcpus());
        }
        if (host.freeMemoryMib() < spec.memory()) {
            return new Rejection(id, Reason.INSUFFICIENT_MEMORY,
                    "free memory " + host.freeMemoryMib() + " MiB < " + spec.memory() + " MiB");
        }
        Map<String, Long> needed = spec.bytesPerPool();
        for (String poolName : spec.pools()) {
            HostInventory.Pool pool = host.pool(poolName).orElse(null);
            if (pool == null) {
                return new Rejection(id, Reason.POOL_MISSING, "no storage pool '" + poolName + "'");
            }
            long need = needed.getOrDefault(poolName, 0L);
            long free = host.freePoolBytes(poolName);
            if (free < need) {
                return new Rejection(id, Reason.INSUFFICIENT_STORAGE, "pool '" + poolName + "'"
                        + (pool.active() ? "" : " (inactive)") + " has " + gib(free) + " GiB free < " + gib(need)
                        + " GiB");
            }
        }
        String iso = spec.storage().bootIso();
        if (iso != null) {
            String defaultPool = spec.storage().defaultPool();
            boolean present = host.pool(defaultPool).map(p -> p.volumes().contains(iso)).orElse(false);
            if (!present) {
                return new Rejection(id, Reason.BOOT_ISO_MISSING,
                        "boot ISO '" + iso + "' is not a volume of pool '" + defaultPool + "'");
            }
        }
        return null;
    }

    private static String describe(VmSpec spec) {
        String text = "'" + spec.name() + "' (" + spec.vcpus() + " vCPUs, " + spec.memory() + " MiB";
        if (!spec.pciDevices().isEmpty()) {
            text += ", " + spec.pciDevices().size() + " PCI device" + (spec.pciDevices().size() == 1 ? "" : "s");
        }
        return text + ")";
    }

    private static String gib(long bytes) {
        return bytes % GIB == 0 ? Long.toString(bytes / GIB) : String.format(java.util.Locale.ROOT, "%.1f",
                bytes / (double) GIB);
    }
}
