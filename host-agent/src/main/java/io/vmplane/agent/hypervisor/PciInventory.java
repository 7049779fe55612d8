package io.vmplane.agent.hypervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.libvirt.Connect;
import org.libvirt.Device;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.schemas.host.HostInventory;

/**
 * The host's PCI devices and which of them a domain passes through, read for each inventory at the cost of what
 * changed since the last one: the definitions of new, started, stopped or (re)defined domains ({@link HostdevCache}),
 * and the node devices only on a full read (they change with the hardware, not with commands). A full read
 * ({@link Hypervisor.Reread#ALL}, the agent's periodic check) reads everything again, so what other clients change
 * without a trace in the listing is seen within one inventory interval.
 *
 * <p>Not thread-safe: use it on the libvirt thread only.
 */
final class PciInventory {

    private static final Logger log = LoggerFactory.getLogger(PciInventory.class);

    private final HostdevCache hostdevs = new HostdevCache();
    /** As the host lists them, none in use; null until read. */
    private List<HostInventory.PciDevice> devices;

    /** Every PCI device of the host, {@code inUse} when one of {@code domains} passes it through. */
    List<HostInventory.PciDevice> read(Connect connect, List<DomainListing.Listed> domains, Hypervisor.Reread reread)
            throws LibvirtException {
        boolean all = reread == Hypervisor.Reread.ALL;
        if (all || devices == null) {
            devices = readDevices(connect);
        }
        long before = hostdevs.definitionsRead();
        Set<HostdevCache.Key> toRead = hostdevs.toRead(domains.stream().map(DomainListing.Listed::key).toList(), all);
        for (DomainListing.Listed domain : domains) {
            if (toRead.contains(domain.key())) {
                DomainListing.readUnlessVanished(domain, d -> d.getXMLDesc(0))
                        .ifPresent(xml -> hostdevs.remember(domain.key(), LibvirtXml.hostdevAddresses(xml)));
            }
        }
        log.debug("Read {} of {} domain definitions for the PCI devices in use", hostdevs.definitionsRead() - before,
                domains.size());
        Set<String> inUse = hostdevs.inUse();
        return devices.stream().map(d -> new HostInventory.PciDevice(d.address(), d.vendorId(), d.productId(),
                d.iommuGroup(), inUse.contains(d.address()))).toList();
    }

    /** After the domain was (re)defined or removed: the next inventory reads it again, if it still exists. */
    void forget(String uuid) {
        hostdevs.forget(uuid);
    }

    /** After a new connection: everything is read again. */
    void forgetAll() {
        hostdevs.forgetAll();
        devices = null;
    }

    long definitionsRead() {
        return hostdevs.definitionsRead();
    }

    private static List<HostInventory.PciDevice> readDevices(Connect connect) throws LibvirtException {
        List<HostInventory.PciDevice> found = new ArrayList<>();
        for (String name : connect.listDevices("pci")) {
            Device device = connect.deviceLookupByName(name);
            try {
                LibvirtXml.pciDevice(device.getXMLDescription()).ifPresent(found::add);
            }
            finally {
                device.free();
            }
        }
        return List.copyOf(found);
    }
}
