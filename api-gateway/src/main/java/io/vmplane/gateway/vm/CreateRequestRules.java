package io.vmplane.gateway.vm;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of {@code VMCreateRequestEnhancedV2}, in one place; the OpenAPI document states the same patterns and
 * ranges (a test compares them).
 */
public final class CreateRequestRules {

    public static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$");
    public static final Pattern POOL = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$");
    public static final Pattern VOLUME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._+-]{0,254}$");
    /** The volumes this product creates for VMs ({@code VmIds.volumeName}); never attachable by a request. */
    public static final Pattern MANAGED_VOLUME = Pattern.compile("^vm-[0-9a-fA-F-]{36}-disk.*$");
    public static final Pattern HOST_ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$");
    public static final Pattern PCI_ADDRESS = Pattern.compile("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$");
    public static final Pattern PCI_ID = Pattern.compile("^[0-9a-f]{4}$");

    public static final long MEMORY_MIN = 128;
    public static final long MEMORY_MAX = 4_194_304;
    public static final long VCPUS_MIN = 1;
    public static final long VCPUS_MAX = 512;
    public static final long DISK_SIZE_MIN = 1;
    public static final long DISK_SIZE_MAX = 65_536;
    public static final long GRAPHICS_PORT_MIN = 5900;
    public static final long GRAPHICS_PORT_MAX = 65_535;
    public static final int MAX_DISKS = 16;
    public static final int MAX_PCI_DEVICES = 8;

    /** The v1 root fields removed in v2, and where their content lives now. */
    public static final Map<String, String> REMOVED_ROOT_FIELDS = Map.of(
            "storage_pool", "storage.default_pool",
            "iso_path", "storage.boot_iso (a volume name in the default pool, not a path)",
            "disks", "storage.disks");

    static final Set<String> ROOT_FIELDS = Set.of("name", "memory", "vcpus", "storage", "pci_devices", "graphics",
            "placement");
    static final Set<String> STORAGE_FIELDS = Set.of("default_pool", "boot_iso", "disks");
    static final Set<String> DISK_FIELDS = Set.of("action", "size", "pool", "volume", "format", "bus");
    static final Set<String> PCI_FIELDS = Set.of("address", "vendor_id", "product_id");
    static final Set<String> GRAPHICS_FIELDS = Set.of("type", "listen", "port");
    static final Set<String> PLACEMENT_FIELDS = Set.of("host");

    private CreateRequestRules() {
    }
}
