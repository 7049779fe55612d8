package io.vmplane.agent.hypervisor;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import io.vmplane.agent.domain.DomainXml;
import io.vmplane.agent.domain.PciAddress;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.VmStatus;

/** Pure readers of the XML documents libvirt hands out (node devices, domains, capabilities, test-driver hosts). */
public final class LibvirtXml {

    private LibvirtXml() {
    }

    /**
     * The PCI device a node device XML describes, or empty when it is not a PCI device. {@code inUse} is left false:
     * whether a domain holds the device is not in this document. A device without an IOMMU group gets group -1.
     */
    public static Optional<HostInventory.PciDevice> pciDevice(String nodeDeviceXml) {
        Element root = parse(nodeDeviceXml).getDocumentElement();
        for (Element capability : children(root, "capability")) {
            if (!"pci".equals(capability.getAttribute("type"))) {
                continue;
            }
            PciAddress address = new PciAddress(number(childText(capability, "domain")),
                    number(childText(capability, "bus")), number(childText(capability, "slot")),
                    number(childText(capability, "function")));
            int group = children(capability, "iommuGroup").stream()
                    .map(g -> Integer.parseInt(g.getAttribute("number").trim()))
                    .findFirst().orElse(-1);
            return Optional.of(new HostInventory.PciDevice(address.toString(), hex4(firstId(capability, "vendor")),
                    hex4(firstId(capability, "product")), group, false));
        }
        return Optional.empty();
    }

    /** The host PCI addresses a domain passes through ({@code <hostdev mode='subsystem' type='pci'>}). */
    public static List<PciAddress> hostdevAddresses(String domainXml) {
        List<PciAddress> addresses = new ArrayList<>();
        if (!domainXml.contains("<hostdev")) {
            // No element named hostdev, so nothing to find: most domains are not worth a parse.
            return addresses;
        }
        NodeList hostdevs = parse(domainXml).getElementsByTagName("hostdev");
        for (int i = 0; i < hostdevs.getLength(); i++) {
            Element hostdev = (Element) hostdevs.item(i);
            if (!"pci".equals(hostdev.getAttribute("type"))) {
                continue;
            }
            for (Element source : children(hostdev, "source")) {
                for (Element a : children(source, "address")) {
                    addresses.add(new PciAddress(number(a.getAttribute("domain")), number(a.getAttribute("bus")),
                            number(a.getAttribute("slot")), number(a.getAttribute("function"))));
                }
            }
        }
        return addresses;
    }

    /** Whether the host capabilities offer domains of {@code domainType} for guests of {@code arch}. */
    public static boolean offersDomainType(String capabilitiesXml, String arch, String domainType) {
        return guestArch(capabilitiesXml, arch)
                .map(a -> children(a, "domain").stream().anyMatch(d -> domainType.equals(d.getAttribute("type"))))
                .orElse(false);
    }

    /** The emulator the host capabilities name for {@code arch}, if any. */
    public static Optional<String> emulator(String capabilitiesXml, String arch) {
        return guestArch(capabilitiesXml, arch).map(a -> childText(a, "emulator")).filter(e -> !e.isBlank());
    }

    /**
     * The capacities (bytes) a test-driver host file declares for its pools. The test driver ignores them and gives
     * every pool 100 GiB, so the agent reports the declared ones for a simulated host.
     */
    public static Map<String, Long> declaredPoolCapacities(String testHostXml) {
        Map<String, Long> capacities = new LinkedHashMap<>();
        for (Element pool : children(parse(testHostXml).getDocumentElement(), "pool")) {
            List<Element> capacity = children(pool, "capacity");
            if (!capacity.isEmpty()) {
                capacities.put(childText(pool, "name"), bytes(capacity.get(0)));
            }
        }
        return capacities;
    }

    /**
     * The namespace of the {@code <reported generation='N' status='S'/>} element the agent adds to a domain's metadata
     * once it published the VM's status S in generation N (see {@code Hypervisor.markReported}).
     */
    public static final String REPORTED_NAMESPACE = "https://vmplane.io/xmlns/reported/1";

    /**
     * The stack tag of a domain definition ({@code <vmplane:stack>} in its metadata) and the generation and status
     * recorded as reported, if any; empty for a domain no stack tagged.
     */
    public static Optional<StackTag> stackTag(String domainXml) {
        Document domain = parse(domainXml);
        NodeList stacks = domain.getElementsByTagNameNS(DomainXml.METADATA_NAMESPACE, "stack");
        if (stacks.getLength() == 0) {
            return Optional.empty();
        }
        String stackId = stacks.item(0).getTextContent().strip();
        NodeList reported = domain.getElementsByTagNameNS(REPORTED_NAMESPACE, "reported");
        OptionalLong generation = OptionalLong.empty();
        Optional<VmStatus> status = Optional.empty();
        if (reported.getLength() > 0) {
            Element element = (Element) reported.item(0);
            String value = element.getAttribute("generation");
            if (value.matches("\\d{1,18}")) {
                generation = OptionalLong.of(Long.parseLong(value));
            }
            status = Arrays.stream(VmStatus.values()).filter(s -> s.wire().equals(element.getAttribute("status")))
                    .findFirst();
        }
        return Optional.of(new StackTag(stackId, generation, status));
    }

    /**
     * @param stackId             the stack that made the domain
     * @param reportedGeneration  the VM generation whose final event the agent published last, if recorded
     * @param reportedStatus      the VM status the agent published last, if recorded
     */
    public record StackTag(String stackId, OptionalLong reportedGeneration, Optional<VmStatus> reportedStatus) {
    }

    /**
     * The namespace of the {@code <stopping generation='N' command='ID' graceful='S' give-up='T' deadline='D'/>}
     * element a domain carries while the agent waits for its guest to shut down (see {@code Hypervisor.markStopping}).
     */
    public static final String STOPPING_NAMESPACE = "https://vmplane.io/xmlns/stopping/1";

    /**
     * A graceful stop the agent follows, as the domain's metadata records it: what a restarted agent needs to follow
     * it on.
     */
    public record StoppingMark(long generation, String commandId, int gracefulTimeoutSeconds, Instant giveUp,
                               Instant deadline) {

        String xml() {
            return "<stopping generation='" + generation + "' command='" + escape(commandId) + "' graceful='"
                    + gracefulTimeoutSeconds + "' give-up='" + giveUp + "' deadline='"
                    + (deadline == null ? "" : deadline.toString()) + "'/>";
        }
    }

    /** The graceful stop a domain definition records, if any (an unreadable one counts as none). */
    public static Optional<StoppingMark> stoppingMark(String domainXml) {
        NodeList marks = parse(domainXml).getElementsByTagNameNS(STOPPING_NAMESPACE, "stopping");
        if (marks.getLength() == 0) {
            return Optional.empty();
        }
        Element mark = (Element) marks.item(0);
        try {
            String deadline = mark.getAttribute("deadline");
            return Optional.of(new StoppingMark(Long.parseLong(mark.getAttribute("generation")),
                    mark.getAttribute("command"), Integer.parseInt(mark.getAttribute("graceful")),
                    Instant.parse(mark.getAttribute("give-up")), deadline.isEmpty() ? null : Instant.parse(deadline)));
        }
        catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;").replace("\"", "&quot;");
    }

    static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            return builder.parse(new InputSource(new StringReader(xml)));
        }
        catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalArgumentException("unreadable libvirt XML: " + e.getMessage(), e);
        }
    }

    private static Optional<Element> guestArch(String capabilitiesXml, String arch) {
        for (Element guest : children(parse(capabilitiesXml).getDocumentElement(), "guest")) {
            for (Element a : children(guest, "arch")) {
                if (arch.equals(a.getAttribute("name"))) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static long bytes(Element sized) {
        long value = Long.parseLong(sized.getTextContent().trim());
        String unit = sized.getAttribute("unit");
        return value * switch (unit.isEmpty() ? "bytes" : unit) {
            case "b", "bytes" -> 1L;
            case "KB" -> 1_000L;
            case "k", "K", "KiB" -> 1L << 10;
            case "MB" -> 1_000_000L;
            case "M", "MiB" -> 1L << 20;
            case "GB" -> 1_000_000_000L;
            case "G", "GiB" -> 1L << 30;
            case "TB" -> 1_000_000_000_000L;
            case "T", "TiB" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit: " + unit);
        };
    }

    private static String firstId(Element capability, String name) {
        return children(capability, name).stream().map(e -> e.getAttribute("id")).findFirst().orElse("");
    }

    /** {@code 0x10DE} → {@code 10de}. */
    private static String hex4(String id) {
        String digits = id.trim().toLowerCase(Locale.ROOT);
        if (digits.startsWith("0x")) {
            digits = digits.substring(2);
        }
        return digits.isEmpty() ? "" : String.format(Locale.ROOT, "%04x", Integer.parseInt(digits, 16));
    }

    /** A libvirt number: {@code 0x3b} is hex, {@code 59} decimal. */
    private static int number(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return 0;
        }
        return t.startsWith("0x") || t.startsWith("0X") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
    }

    private static String childText(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().trim()).findFirst().orElse("");
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getNodeName())) {
                found.add(e);
            }
        }
        return found;
    }
}
