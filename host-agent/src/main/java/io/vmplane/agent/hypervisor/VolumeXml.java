package io.vmplane.agent.hypervisor;

import java.io.StringWriter;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import io.vmplane.schemas.vm.DiskSpec;

/**
 * The definition of a new storage volume: thin (allocation 0), so a dir pool holds a sparse file and the test
 * driver, which counts allocation against a fixed 100 GiB per pool, accepts disks larger than that.
 */
public final class VolumeXml {

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private VolumeXml() {
    }

    public static String render(String name, long capacityBytes, DiskSpec.Format format) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartElement("volume");
            xml.writeStartElement("name");
            xml.writeCharacters(name);
            xml.writeEndElement();
            sized(xml, "capacity", capacityBytes);
            sized(xml, "allocation", 0);
            xml.writeStartElement("target");
            xml.writeEmptyElement("format");
            xml.writeAttribute("type", format.wire());
            xml.writeEndElement();
            xml.writeEndElement();
            xml.close();
        }
        catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write volume XML for " + name, e);
        }
        return out.toString();
    }

    private static void sized(XMLStreamWriter xml, String element, long bytes) throws XMLStreamException {
        xml.writeStartElement(element);
        xml.writeAttribute("unit", "bytes");
        xml.writeCharacters(Long.toString(bytes));
        xml.writeEndElement();
    }
}
