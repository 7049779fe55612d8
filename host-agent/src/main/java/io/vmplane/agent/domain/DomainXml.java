package io.vmplane.agent.domain;

import java.io.StringWriter;
import java.util.List;
import java.util.Objects;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;

/**
 * The libvirt domain definition of a VM: a pure function of the VM id, its spec and the agent's
 * {@link DomainContext}. Written with an XML stream writer, so every value is escaped whatever it holds.
 */
public final class DomainXml {

    /** The namespace of the stack tag in {@code <metadata>}; libvirt keeps one element per namespace. */
    public static final String METADATA_NAMESPACE = "https://vmplane.io/xmlns/stack/1";

    public static final String METADATA_PREFIX = "vmplane";

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private DomainXml() {
    }

    public static String render(String vmId, VmSpec spec, DomainContext context) {
        Objects.requireNonNull(vmId, "vmId");
        List<DiskSpec> disks = spec.storage().disks();
        if (disks.size() != context.diskSources().size()) {
            throw new IllegalArgumentException(
                    "spec has " + disks.size() + " disks but " + context.diskSources().size() + " disk sources");
        }
        if ((spec.storage().bootIso() == null) != (context.bootIso() == null)) {
            throw new IllegalArgumentException("boot ISO of the spec and of the context disagree");
        }
        List<PciAddress> pci = context.pciAddresses().stream().map(PciAddress::parse).toList();
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            new Writer(xml).domain(vmId, spec, context, pci);
            xml.flush();
            xml.close();
        }
        catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write domain XML for " + vmId, e);
        }
        return out.toString();
    }

    /** The guest device name of the n-th (0-based) disk with a prefix: {@code vda}, …, {@code vdz}, {@code vdaa}. */
    static String deviceName(String prefix, int index) {
        StringBuilder suffix = new StringBuilder();
        int i = index;
        do {
            suffix.insert(0, (char) ('a' + i % 26));
            i = i / 26 - 1;
        } while (i >= 0);
        return prefix + suffix;
    }

    private static final class Writer {

        private final XMLStreamWriter xml;
        private int virtioDisks;
        private int sdDisks;

        Writer(XMLStreamWriter xml) {
            this.xml = xml;
        }

        void domain(String vmId, VmSpec spec, DomainContext context, List<PciAddress> pci)
                throws XMLStreamException {
            xml.writeStartElement("domain");
            xml.writeAttribute("type", context.type().wire());
            text("name", vmId);
            text("uuid", VmIds.uuidOf(vmId).toString());
            metadata(spec, context);
            xml.writeStartElement("memory");
            xml.writeAttribute("unit", "MiB");
            xml.writeCharacters(Integer.toString(spec.memory()));
            xml.writeEndElement();
            text("vcpu", Integer.toString(spec.vcpus()));
            os(spec.storage().bootIso() != null);
            xml.writeStartElement("features");
            xml.writeEmptyElement("acpi");
            xml.writeEmptyElement("apic");
            xml.writeEndElement();
            xml.writeStartElement("devices");
            if (context.emulator() != null) {
                text("emulator", context.emulator());
            }
            devices(spec, context, pci);
            xml.writeEndElement();
            xml.writeEndElement();
        }

        private void metadata(VmSpec spec, DomainContext context) throws XMLStreamException {
            xml.writeStartElement("metadata");
            xml.writeStartElement(METADATA_PREFIX, "stack", METADATA_NAMESPACE);
            xml.writeNamespace(METADATA_PREFIX, METADATA_NAMESPACE);
            if (spec.name() != null) {
                xml.writeAttribute("vm-name", spec.name());
            }
            xml.writeCharacters(context.stackId());
            xml.writeEndElement();
            xml.writeEndElement();
        }

        private void os(boolean bootFromIso) throws XMLStreamException {
            xml.writeStartElement("os");
            xml.writeStartElement("type");
            xml.writeAttribute("arch", "x86_64");
            xml.writeAttribute("machine", "q35");
            xml.writeCharacters("hvm");
            xml.writeEndElement();
            if (bootFromIso) {
                boot("cdrom");
            }
            boot("hd");
            xml.writeEndElement();
        }

        private void boot(String dev) throws XMLStreamException {
            xml.writeEmptyElement("boot");
            xml.writeAttribute("dev", dev);
        }

        private void devices(VmSpec spec, DomainContext context, List<PciAddress> pci) throws XMLStreamException {
            List<DiskSpec> disks = spec.storage().disks();
            boolean scsi = false;
            for (int i = 0; i < disks.size(); i++) {
                DiskSpec disk = disks.get(i);
                scsi |= disk.bus() == DiskSpec.Bus.SCSI;
                disk(disk, context.diskSources().get(i));
            }
            if (context.bootIso() != null) {
                cdrom(context.bootIso());
            }
            if (scsi) {
                xml.writeEmptyElement("controller");
                xml.writeAttribute("type", "scsi");
                xml.writeAttribute("model", "virtio-scsi");
            }
            for (PciAddress address : pci) {
                hostdev(address);
            }
            xml.writeStartElement("interface");
            xml.writeAttribute("type", "user");
            model("virtio");
            xml.writeEndElement();
            graphics(spec.graphics(), context.graphicsListen());
            xml.writeEmptyElement("console");
            xml.writeAttribute("type", "pty");
        }

        private void disk(DiskSpec disk, VolumeRef source) throws XMLStreamException {
            xml.writeStartElement("disk");
            xml.writeAttribute("type", "volume");
            xml.writeAttribute("device", "disk");
            driver(disk.format().wire());
            source(source);
            target(disk.bus() == DiskSpec.Bus.VIRTIO ? deviceName("vd", virtioDisks++) : deviceName("sd", sdDisks++),
                    disk.bus().wire());
            xml.writeEndElement();
        }

        private void cdrom(VolumeRef iso) throws XMLStreamException {
            xml.writeStartElement("disk");
            xml.writeAttribute("type", "volume");
            xml.writeAttribute("device", "cdrom");
            driver("raw");
            source(iso);
            target(deviceName("sd", sdDisks++), "sata");
            xml.writeEmptyElement("readonly");
            xml.writeEndElement();
        }

        private void driver(String format) throws XMLStreamException {
            xml.writeEmptyElement("driver");
            xml.writeAttribute("name", "qemu");
            xml.writeAttribute("type", format);
        }

        private void source(VolumeRef volume) throws XMLStreamException {
            xml.writeEmptyElement("source");
            xml.writeAttribute("pool", volume.pool());
            xml.writeAttribute("volume", volume.volume());
        }

        private void target(String dev, String bus) throws XMLStreamException {
            xml.writeEmptyElement("target");
            xml.writeAttribute("dev", dev);
            xml.writeAttribute("bus", bus);
        }

        private void hostdev(PciAddress address) throws XMLStreamException {
            xml.writeStartElement("hostdev");
            xml.writeAttribute("mode", "subsystem");
            xml.writeAttribute("type", "pci");
            xml.writeAttribute("managed", "yes");
            xml.writeStartElement("source");
            xml.writeEmptyElement("address");
            xml.writeAttribute("domain", address.domainHex());
            xml.writeAttribute("bus", address.busHex());
            xml.writeAttribute("slot", address.slotHex());
            xml.writeAttribute("function", address.functionHex());
            xml.writeEndElement();
            xml.writeEndElement();
        }

        private void graphics(GraphicsSpec graphics, String defaultListen) throws XMLStreamException {
            if (graphics.type() == GraphicsSpec.Type.NONE) {
                return;
            }
            xml.writeEmptyElement("graphics");
            xml.writeAttribute("type", graphics.type().wire());
            if (graphics.port() != null) {
                xml.writeAttribute("port", Integer.toString(graphics.port()));
                xml.writeAttribute("autoport", "no");
            }
            else {
                if (graphics.type() == GraphicsSpec.Type.VNC) {
                    xml.writeAttribute("port", "-1");
                }
                xml.writeAttribute("autoport", "yes");
            }
            xml.writeAttribute("listen", graphics.listen() != null ? graphics.listen() : defaultListen);
            xml.writeStartElement("video");
            model(graphics.type() == GraphicsSpec.Type.SPICE ? "qxl" : "virtio");
            xml.writeEndElement();
        }

        private void model(String type) throws XMLStreamException {
            xml.writeEmptyElement("model");
            xml.writeAttribute("type", type);
        }

        private void text(String element, String value) throws XMLStreamException {
            xml.writeStartElement(element);
            xml.writeCharacters(value);
            xml.writeEndElement();
        }
    }
}
