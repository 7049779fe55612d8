package io.vmplane.agent.domain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A host PCI address, written {@code dddd:bb:ss.f} (lower-case hex) as in the inventory and the API. */
public record PciAddress(int domain, int bus, int slot, int function) {

    private static final Pattern TEXT = Pattern.compile("^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])$");

    public PciAddress {
        check(domain, 0xffff, "domain");
        check(bus, 0xff, "bus");
        check(slot, 0x1f, "slot");
        check(function, 0x7, "function");
    }

    /** Parses {@code dddd:bb:ss.f}; throws {@link IllegalArgumentException} for anything else. */
    public static PciAddress parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a PCI address (dddd:bb:ss.f): " + text);
        }
        return new PciAddress(Integer.parseInt(m.group(1), 16), Integer.parseInt(m.group(2), 16),
                Integer.parseInt(m.group(3), 16), Integer.parseInt(m.group(4), 16));
    }

    /** The name libvirt gives the node device at this address, e.g. {@code pci_0000_3b_00_0}. */
    public String nodeDeviceName() {
        return String.format(Locale.ROOT, "pci_%04x_%02x_%02x_%x", domain, bus, slot, function);
    }

    public String domainHex() {
        return String.format(Locale.ROOT, "0x%04x", domain);
    }

    public String busHex() {
        return String.format(Locale.ROOT, "0x%02x", bus);
    }

    public String slotHex() {
        return String.format(Locale.ROOT, "0x%02x", slot);
    }

    public String functionHex() {
        return String.format(Locale.ROOT, "0x%x", function);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", domain, bus, slot, function);
    }

    private static void check(int value, int max, String field) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("PCI " + field + " out of range: " + value);
        }
    }
}
