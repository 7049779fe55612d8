package io.vmplane.agent.hypervisor;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether KVM really runs guests on this host: boots a small transient KVM domain from a bootable image,
 * looks at it every {@code 250 ms} until {@link KvmProbeVerdict} decides (at the earliest after the probe duration,
 * at once when it stops running), and destroys it. Some hosts offer {@code /dev/kvm} and still fail guests a few
 * seconds into their boot (a KVM "emulation failure" pauses them); only a guest that runs for a while proves KVM.
 *
 * <p>Blocking; runs on a thread of its own while the agent starts. Never leaves its domain behind: it is destroyed
 * whatever happens, and probe domains a killed agent of the same host left are destroyed first.
 */
final class KvmProbe {

    static final String NAME_PREFIX = "vmplane-kvm-probe-";
    static final int MEMORY_MIB = 128;

    private static final Logger log = LoggerFactory.getLogger(KvmProbe.class);
    private static final Duration LOOK_INTERVAL = Duration.ofMillis(250);
    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    /** The few hypervisor operations a probe needs. */
    interface Target {

        /** Names of the running (active) domains. */
        List<String> activeDomainNames();

        /** Starts a transient domain ({@code virDomainCreateXML}). */
        void createTransient(String xml);

        /** The domain's state and CPU time, or empty when there is no such domain. */
        Optional<Sample> sample(String name);

        /** Stops a transient domain (which removes it); nothing when it is gone already. */
        void destroy(String name);
    }

    /**
     * @param status   the domain's state
     * @param cpuTime  the CPU time its QEMU process used so far
     */
    record Sample(DomainStatus status, Duration cpuTime) {
    }

    private final Target target;
    private final KvmProbeSettings settings;
    private final String emulator;

    /** @param emulator the emulator binary the capabilities name, or null for libvirt's default */
    KvmProbe(Target target, KvmProbeSettings settings, String emulator) {
        this.target = target;
        this.settings = settings;
        this.emulator = emulator;
    }

    /** Destroys the probe domains earlier agents of this host left running; returns their names. */
    static List<String> destroyLeftovers(Target target, String hostId) {
        List<String> stale = target.activeDomainNames().stream().filter(name -> isProbeOf(name, hostId)).toList();
        for (String name : stale) {
            log.info("Destroying the KVM probe domain {} an earlier agent of {} left", name, hostId);
            target.destroy(name);
        }
        return stale;
    }

    /** Boots the probe domain and decides; the image must be present in {@link KvmProbeSettings#image()}. */
    VirtTypeDecision run() {
        Path image = settings.image().orElseThrow(() -> new IllegalStateException("no KVM probe image"));
        String name = NAME_PREFIX + settings.hostId() + "-"
                + String.format(Locale.ROOT, "%08x", ThreadLocalRandom.current().nextInt());
        try {
            try {
                target.createTransient(domainXml(name, image, emulator));
            }
            catch (HypervisorException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                return KvmProbeVerdict.notStarted(e.getMessage());
            }
            long started = System.nanoTime();
            KvmProbeVerdict verdict = new KvmProbeVerdict(settings.duration());
            while (true) {
                Optional<Sample> sample = target.sample(name);
                Duration since = Duration.ofNanos(System.nanoTime() - started);
                Optional<VirtTypeDecision> decision = verdict.afterLook(new KvmProbeVerdict.Look(since,
                        sample.map(Sample::status), sample.map(Sample::cpuTime).orElse(Duration.ZERO)));
                if (decision.isPresent()) {
                    VirtTypeDecision d = decision.get();
                    return new VirtTypeDecision(d.type(), d.reason() + ", booting " + image);
                }
                Thread.sleep(LOOK_INTERVAL.toMillis());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("the KVM probe was interrupted", e);
        }
        finally {
            destroyQuietly(name);
        }
    }

    /** Whether a domain name is that of a probe domain of {@code hostId} (and not of a host whose id extends it). */
    static boolean isProbeOf(String domainName, String hostId) {
        return Pattern.matches(Pattern.quote(NAME_PREFIX + hostId + "-") + "[0-9a-f]{8}", domainName);
    }

    /**
     * The probe domain: {@value #MEMORY_MIB} MiB, one vCPU, no NIC, no display, booting {@code image} as a CD-ROM.
     * The image is not relabelled: libvirt would otherwise chown a file that is not the agent's.
     */
    static String domainXml(String name, Path image, String emulator) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartElement("domain");
            xml.writeAttribute("type", "kvm");
            text(xml, "name", name);
            text(xml, "description", "vmplane KVM probe; destroyed within seconds");
            xml.writeStartElement("memory");
            xml.writeAttribute("unit", "MiB");
            xml.writeCharacters(Integer.toString(MEMORY_MIB));
            xml.writeEndElement();
            text(xml, "vcpu", "1");
            xml.writeStartElement("os");
            xml.writeStartElement("type");
            xml.writeAttribute("arch", "x86_64");
            xml.writeAttribute("machine", "q35");
            xml.writeCharacters("hvm");
            xml.writeEndElement();
            xml.writeEmptyElement("boot");
            xml.writeAttribute("dev", "cdrom");
            xml.writeEndElement();
            xml.writeStartElement("features");
            xml.writeEmptyElement("acpi");
            xml.writeEmptyElement("apic");
            xml.writeEndElement();
            xml.writeStartElement("devices");
            if (emulator != null) {
                text(xml, "emulator", emulator);
            }
            xml.writeStartElement("disk");
            xml.writeAttribute("type", "file");
            xml.writeAttribute("device", "cdrom");
            xml.writeEmptyElement("driver");
            xml.writeAttribute("name", "qemu");
            xml.writeAttribute("type", "raw");
            xml.writeStartElement("source");
            xml.writeAttribute("file", image.toString());
            xml.writeEmptyElement("seclabel");
            xml.writeAttribute("model", "dac");
            xml.writeAttribute("relabel", "no");
            xml.writeEndElement();
            xml.writeEmptyElement("target");
            xml.writeAttribute("dev", "sda");
            xml.writeAttribute("bus", "sata");
            xml.writeEmptyElement("readonly");
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndElement();
            xml.flush();
            xml.close();
        }
        catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the KVM probe domain XML", e);
        }
        return out.toString();
    }

    private void destroyQuietly(String name) {
        // An interrupt (the agent closing mid-probe) must not stop the clean-up: wait for it, then restore the flag.
        boolean interrupted = Thread.interrupted();
        try {
            target.destroy(name);
        }
        catch (HypervisorException e) {
            log.warn("Could not destroy the KVM probe domain {}: {}", name, e.getMessage());
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void text(XMLStreamWriter xml, String element, String value) throws XMLStreamException {
        xml.writeStartElement(element);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }
}
