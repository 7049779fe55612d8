package io.vmplane.gateway.console;

import java.io.StringReader;
import java.util.OptionalInt;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a VM's console port from its live domain XML: the {@code port} of the first
 * {@code /domain/devices/graphics} element of the wanted type, when libvirt has allocated one ({@code -1} and
 * absent mean it has not). The XML comes from a host agent: parsed with DTDs and external entities off.
 */
public final class GraphicsPorts {

    private static final XMLInputFactory FACTORY = newFactory();

    private GraphicsPorts() {
    }

    /** The port, or empty when the XML is null, malformed, has no such graphics or no port yet. */
    public static OptionalInt port(String domainXml, String type) {
        if (domainXml == null || domainXml.isBlank()) {
            return OptionalInt.empty();
        }
        XMLStreamReader xml = null;
        try {
            xml = FACTORY.createXMLStreamReader(new StringReader(domainXml));
            int depth = 0;
            boolean inDevices = false;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = xml.getLocalName();
                    if (depth == 2 && "devices".equals(name)) {
                        inDevices = true;
                    }
                    else if (inDevices && depth == 3 && "graphics".equals(name)
                            && type.equals(xml.getAttributeValue(null, "type"))) {
                        return parsePort(xml.getAttributeValue(null, "port"));
                    }
                }
                else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2) {
                        inDevices = false;
                    }
                    depth--;
                }
            }
            return OptionalInt.empty();
        }
        catch (XMLStreamException | RuntimeException e) {
            return OptionalInt.empty();
        }
        finally {
            close(xml);
        }
    }

    private static OptionalInt parsePort(String port) {
        if (port == null) {
            return OptionalInt.empty();
        }
        try {
            int value = Integer.parseInt(port.trim());
            return value > 0 && value <= 65535 ? OptionalInt.of(value) : OptionalInt.empty();
        }
        catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static void close(XMLStreamReader xml) {
        if (xml != null) {
            try {
                xml.close();
            }
            catch (XMLStreamException e) {
                // nothing left to release
            }
        }
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        return factory;
    }
}
