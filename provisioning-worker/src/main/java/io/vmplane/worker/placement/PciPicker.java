package io.vmplane.worker.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.vmplane.schemas.host.HostInventory.PciDevice;
import io.vmplane.schemas.vm.PciDeviceSpec;

/**
 * Chooses host PCI devices for a VM's requests on one host. A device can be passed through only if it is free (no
 * domain uses it, no other VM claims it, this VM did not pick it already) and so is every other device of its IOMMU
 * group, unless this VM picked that one too. Requests by address are served first, so that a request by
 * vendor/product never takes the very device another request names.
 */
final class PciPicker {

    /** The addresses in request order, or the reason the host cannot serve the requests. */
    record Result(List<String> addresses, String failure) {

        boolean ok() {
            return failure == null;
        }
    }

    private final List<PciDevice> devices;
    private final Set<String> claimed;
    private final Set<String> picked = new HashSet<>();

    private PciPicker(List<PciDevice> devices, Set<String> claimed) {
        this.devices = devices.stream().sorted(Comparator.comparing(PciDevice::address)).toList();
        this.claimed = claimed;
    }

    static Result pick(List<PciDeviceSpec> requests, List<PciDevice> devices, Set<String> claimed) {
        return new PciPicker(devices, claimed).pick(requests);
    }

    private Result pick(List<PciDeviceSpec> requests) {
        String[] chosen = new String[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            PciDeviceSpec request = requests.get(i);
            if (!request.byAddress()) {
                continue;
            }
            PciDevice device = devices.stream().filter(d -> d.address().equalsIgnoreCase(request.address()))
                    .findFirst().orElse(null);
            if (device == null) {
                return failure("PCI device " + request.address() + " is not present");
            }
            String why = unavailable(device);
            if (why != null) {
                return failure("PCI device " + device.address() + " " + why);
            }
            take(device, chosen, i);
        }
        for (int i = 0; i < requests.size(); i++) {
            PciDeviceSpec request = requests.get(i);
            if (request.byAddress()) {
                continue;
            }
            String model = request.vendorId() + ":" + request.productId();
            List<PciDevice> matching = devices.stream().filter(d -> matches(d, request)).toList();
            if (matching.isEmpty()) {
                return failure("no PCI device " + model);
            }
            List<String> reasons = new ArrayList<>();
            PciDevice free = null;
            for (PciDevice device : matching) {
                String why = unavailable(device);
                if (why == null) {
                    free = device;
                    break;
                }
                reasons.add(device.address() + " " + why);
            }
            if (free == null) {
                return failure("no free PCI device " + model + " (" + String.join("; ", reasons) + ")");
            }
            take(free, chosen, i);
        }
        return new Result(List.of(chosen), null);
    }

    /** Why a device cannot be given to this VM, or null when it can. */
    private String unavailable(PciDevice device) {
        if (picked.contains(device.address())) {
            return "is already requested by this VM";
        }
        String own = taken(device);
        if (own != null) {
            return own;
        }
        for (PciDevice mate : devices) {
            if (mate.iommuGroup() == device.iommuGroup() && !mate.address().equals(device.address())
                    && !picked.contains(mate.address())) {
                String mateTaken = taken(mate);
                if (mateTaken != null) {
                    return "shares IOMMU group " + device.iommuGroup() + " with " + mate.address() + ", which "
                            + mateTaken;
                }
            }
        }
        return null;
    }

    private String taken(PciDevice device) {
        if (device.inUse()) {
            return "is in use by a domain on the host";
        }
        if (claimed.contains(device.address())) {
            return "is claimed by another VM";
        }
        return null;
    }

    private void take(PciDevice device, String[] chosen, int index) {
        picked.add(device.address());
        chosen[index] = device.address();
    }

    private static boolean matches(PciDevice device, PciDeviceSpec request) {
        return lower(device.vendorId()).equals(lower(request.vendorId()))
                && lower(device.productId()).equals(lower(request.productId()));
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static Result failure(String why) {
        return new Result(List.of(), why);
    }
}
