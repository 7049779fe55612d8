package io.vmplane.gateway.vm;

import static io.vmplane.gateway.vm.ErrorCodes.CONFLICTING_FIELDS;
import static io.vmplane.gateway.vm.ErrorCodes.FORBIDDEN_FIELD;
import static io.vmplane.gateway.vm.ErrorCodes.INVALID_FORMAT;
import static io.vmplane.gateway.vm.ErrorCodes.INVALID_TYPE;
import static io.vmplane.gateway.vm.ErrorCodes.INVALID_VALUE;
import static io.vmplane.gateway.vm.ErrorCodes.OUT_OF_RANGE;
import static io.vmplane.gateway.vm.ErrorCodes.REMOVED_FIELD;
import static io.vmplane.gateway.vm.ErrorCodes.REQUIRED;
import static io.vmplane.gateway.vm.ErrorCodes.TOO_FEW_ITEMS;
import static io.vmplane.gateway.vm.ErrorCodes.TOO_MANY_ITEMS;
import static io.vmplane.gateway.vm.ErrorCodes.UNKNOWN_FIELD;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.vmplane.gateway.web.FieldError;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.PlacementSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmSpec;
import tools.jackson.databind.JsonNode;

/**
 * Checks a {@code VMCreateRequestEnhancedV2} body, given as a JSON tree, and builds the normalised {@link VmSpec}.
 * A pure function: every problem is collected with the JSON pointer of its value (up to {@link #MAX_ERRORS}), and a
 * spec is built only when there is none. Admin-only fields sent by others are reported as
 * {@link ErrorCodes#FORBIDDEN_FIELD} and their values are not checked.
 */
public final class CreateRequestValidator {

    /** More errors than this are not reported: a body of thousands of bad disks gets a readable answer. */
    public static final int MAX_ERRORS = 100;

    private static final Pattern IPV4 = Pattern.compile(
            "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:][0-9a-fA-F:.]*$");

    private final List<FieldError> errors = new ArrayList<>();
    private final boolean admin;

    private CreateRequestValidator(boolean admin) {
        this.admin = admin;
    }

    /** The outcome: a spec when {@link #errors()} is empty, else null. */
    public record Result(VmSpec spec, List<FieldError> errors) {

        public Result {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }

        /** The admin-only fields a non-admin sent. */
        public List<FieldError> forbidden() {
            return errors.stream().filter(e -> FORBIDDEN_FIELD.equals(e.code())).toList();
        }
    }

    public static Result validate(JsonNode body, boolean admin) {
        var run = new CreateRequestValidator(admin);
        VmSpec spec = run.root(body);
        return new Result(run.errors.isEmpty() ? spec : null, run.errors);
    }

    private VmSpec root(JsonNode body) {
        if (body == null || !body.isObject()) {
            error("", INVALID_TYPE, "The request body must be a JSON object");
            return null;
        }
        for (String field : body.propertyNames()) {
            String movedTo = CreateRequestRules.REMOVED_ROOT_FIELDS.get(field);
            if (movedTo != null) {
                error(child("", field), REMOVED_FIELD,
                        "Field '" + field + "' was removed in v2: use " + movedTo);
            }
            else if (!CreateRequestRules.ROOT_FIELDS.contains(field)) {
                unknown("", field);
            }
        }
        String name = string(body, "", "name", CreateRequestRules.NAME, true);
        Long memory = integer(body, "", "memory", CreateRequestRules.MEMORY_MIN, CreateRequestRules.MEMORY_MAX,
                true);
        Long vcpus = integer(body, "", "vcpus", CreateRequestRules.VCPUS_MIN, CreateRequestRules.VCPUS_MAX, true);
        StorageSpec storage = storage(body.get("storage"));
        List<PciDeviceSpec> pci = pciDevices(body.get("pci_devices"));
        GraphicsSpec graphics = graphics(body.get("graphics"));
        PlacementSpec placement = placement(body.get("placement"));
        if (!errors.isEmpty()) {
            return null;
        }
        return new VmSpec(name, memory.intValue(), vcpus.intValue(), storage, pci, graphics, placement);
    }

    private StorageSpec storage(JsonNode node) {
        String ptr = "/storage";
        if (!object(node, ptr, true)) {
            return null;
        }
        knownFields(node, ptr, CreateRequestRules.STORAGE_FIELDS);
        String defaultPool = string(node, ptr, "default_pool", CreateRequestRules.POOL, true);
        String bootIso = string(node, ptr, "boot_iso", CreateRequestRules.VOLUME, false);
        JsonNode disks = node.get("disks");
        String disksPtr = ptr + "/disks";
        if (!array(disks, disksPtr, true, CreateRequestRules.MAX_DISKS)) {
            return null;
        }
        if (disks.isEmpty() && !node.has("boot_iso")) {
            error(disksPtr, TOO_FEW_ITEMS, "storage.disks may be empty only when storage.boot_iso is given");
        }
        var specs = new ArrayList<DiskSpec>();
        for (int i = 0; i < disks.size(); i++) {
            specs.add(disk(disks.get(i), disksPtr + "/" + i, defaultPool));
        }
        return specs.contains(null) ? null : new StorageSpec(defaultPool, bootIso, specs);
    }

    private DiskSpec disk(JsonNode node, String ptr, String defaultPool) {
        if (!object(node, ptr, true)) {
            return null;
        }
        knownFields(node, ptr, CreateRequestRules.DISK_FIELDS);
        String action = enumeration(node, ptr, "action", List.of("create", "attach"), null);
        String pool = string(node, ptr, "pool", CreateRequestRules.POOL, false);
        String format = enumeration(node, ptr, "format", List.of("qcow2", "raw"), "qcow2");
        String bus = enumeration(node, ptr, "bus", List.of("virtio", "sata", "scsi"), "virtio");
        Long size = null;
        String volume = null;
        if ("create".equals(action)) {
            size = integer(node, ptr, "size", CreateRequestRules.DISK_SIZE_MIN, CreateRequestRules.DISK_SIZE_MAX,
                    true);
            if (node.has("volume")) {
                error(child(ptr, "volume"), CONFLICTING_FIELDS,
                        "A disk to create takes no volume: its volume is named after the VM");
            }
        }
        else if ("attach".equals(action)) {
            volume = string(node, ptr, "volume", CreateRequestRules.VOLUME, true);
            if (volume != null && CreateRequestRules.MANAGED_VOLUME.matcher(volume).matches()) {
                // Volumes named vm-<uuid>-diskN belong to the VMs this product created (of any project): attaching
                // one would hand another VM's data to this request.
                error(child(ptr, "volume"), ErrorCodes.INVALID_VALUE,
                        "Volume " + volume + " belongs to a VM created by this service and cannot be attached");
            }
            if (node.has("size")) {
                error(child(ptr, "size"), CONFLICTING_FIELDS, "An attached disk keeps its volume's size: omit size");
            }
        }
        else {
            integer(node, ptr, "size", CreateRequestRules.DISK_SIZE_MIN, CreateRequestRules.DISK_SIZE_MAX, false);
            string(node, ptr, "volume", CreateRequestRules.VOLUME, false);
        }
        if (action == null || format == null || bus == null) {
            return null;
        }
        return new DiskSpec(DiskSpec.Action.valueOf(action.toUpperCase(java.util.Locale.ROOT)), size,
                pool == null ? defaultPool : pool, volume,
                DiskSpec.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT)),
                DiskSpec.Bus.valueOf(bus.toUpperCase(java.util.Locale.ROOT)));
    }

    private List<PciDeviceSpec> pciDevices(JsonNode node) {
        String ptr = "/pci_devices";
        if (!array(node, ptr, false, CreateRequestRules.MAX_PCI_DEVICES)) {
            return List.of();
        }
        var devices = new ArrayList<PciDeviceSpec>();
        for (int i = 0; i < node.size(); i++) {
            devices.add(pciDevice(node.get(i), ptr + "/" + i));
        }
        return devices.contains(null) ? List.of() : devices;
    }

    private PciDeviceSpec pciDevice(JsonNode node, String ptr) {
        if (!object(node, ptr, true)) {
            return null;
        }
        knownFields(node, ptr, CreateRequestRules.PCI_FIELDS);
        boolean byAddress = node.has("address");
        boolean byIds = node.has("vendor_id") || node.has("product_id");
        if (byAddress && byIds) {
            error(ptr, CONFLICTING_FIELDS, "Give either address, or vendor_id and product_id, not both");
            return null;
        }
        if (byAddress) {
            return new PciDeviceSpec(string(node, ptr, "address", CreateRequestRules.PCI_ADDRESS, true), null, null);
        }
        if (byIds) {
            return new PciDeviceSpec(null, string(node, ptr, "vendor_id", CreateRequestRules.PCI_ID, true),
                    string(node, ptr, "product_id", CreateRequestRules.PCI_ID, true));
        }
        error(ptr, REQUIRED, "A PCI device needs address, or vendor_id and product_id");
        return null;
    }

    private GraphicsSpec graphics(JsonNode node) {
        String ptr = "/graphics";
        if (!object(node, ptr, false)) {
            return GraphicsSpec.DEFAULT;
        }
        knownFields(node, ptr, CreateRequestRules.GRAPHICS_FIELDS);
        String type = enumeration(node, ptr, "type", List.of("vnc", "spice", "none"), "vnc");
        String listen = null;
        Long port = null;
        if (node.has("listen") && adminOnly(child(ptr, "listen"))) {
            listen = string(node, ptr, "listen", null, false);
            if (listen != null && !isIpLiteral(listen)) {
                error(child(ptr, "listen"), INVALID_FORMAT, "graphics.listen must be an IPv4 or IPv6 address literal");
                listen = null;
            }
        }
        if (node.has("port") && adminOnly(child(ptr, "port"))) {
            port = integer(node, ptr, "port", CreateRequestRules.GRAPHICS_PORT_MIN,
                    CreateRequestRules.GRAPHICS_PORT_MAX, false);
        }
        if (type == null) {
            return null;
        }
        return new GraphicsSpec(GraphicsSpec.Type.valueOf(type.toUpperCase(java.util.Locale.ROOT)), listen,
                port == null ? null : port.intValue());
    }

    private PlacementSpec placement(JsonNode node) {
        String ptr = "/placement";
        if (node == null || !adminOnly(ptr) || !object(node, ptr, false)) {
            return null;
        }
        knownFields(node, ptr, CreateRequestRules.PLACEMENT_FIELDS);
        String host = string(node, ptr, "host", CreateRequestRules.HOST_ID, true);
        return host == null ? null : new PlacementSpec(host);
    }

    private boolean adminOnly(String ptr) {
        if (!admin) {
            error(ptr, FORBIDDEN_FIELD, "Only admins may set " + ptr.substring(1).replace('/', '.'));
        }
        return admin;
    }

    // --- typed field readers: each records its own errors and returns null when the value is unusable ---

    private boolean object(JsonNode node, String ptr, boolean required) {
        if (node == null) {
            if (required) {
                error(ptr, REQUIRED, label(ptr) + " is required");
            }
            return false;
        }
        if (!node.isObject()) {
            error(ptr, INVALID_TYPE, label(ptr) + " must be an object");
            return false;
        }
        return true;
    }

    private boolean array(JsonNode node, String ptr, boolean required, int maxItems) {
        if (node == null) {
            if (required) {
                error(ptr, REQUIRED, label(ptr) + " is required");
            }
            return false;
        }
        if (!node.isArray()) {
            error(ptr, INVALID_TYPE, label(ptr) + " must be an array");
            return false;
        }
        if (node.size() > maxItems) {
            error(ptr, TOO_MANY_ITEMS, label(ptr) + " may hold at most " + maxItems + " items, has " + node.size());
        }
        return true;
    }

    private String string(JsonNode parent, String parentPtr, String field, Pattern pattern, boolean required) {
        String ptr = child(parentPtr, field);
        JsonNode value = parent.get(field);
        if (value == null) {
            if (required) {
                error(ptr, REQUIRED, label(ptr) + " is required");
            }
            return null;
        }
        if (!value.isString()) {
            error(ptr, INVALID_TYPE, label(ptr) + " must be a string");
            return null;
        }
        String text = value.stringValue();
        if (pattern != null && !pattern.matcher(text).matches()) {
            error(ptr, INVALID_FORMAT, label(ptr) + " must match " + pattern.pattern());
            return null;
        }
        return text;
    }

    private Long integer(JsonNode parent, String parentPtr, String field, long min, long max, boolean required) {
        String ptr = child(parentPtr, field);
        JsonNode value = parent.get(field);
        if (value == null) {
            if (required) {
                error(ptr, REQUIRED, label(ptr) + " is required");
            }
            return null;
        }
        if (!value.isIntegralNumber()) {
            error(ptr, INVALID_TYPE, label(ptr) + " must be an integer");
            return null;
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            error(ptr, OUT_OF_RANGE, label(ptr) + " must be between " + min + " and " + max);
            return null;
        }
        return value.longValue();
    }

    private String enumeration(JsonNode parent, String parentPtr, String field, List<String> allowed,
                               String defaultValue) {
        String ptr = child(parentPtr, field);
        JsonNode value = parent.get(field);
        if (value == null) {
            if (defaultValue == null) {
                error(ptr, REQUIRED, label(ptr) + " is required");
            }
            return defaultValue;
        }
        if (!value.isString()) {
            error(ptr, INVALID_TYPE, label(ptr) + " must be a string");
            return null;
        }
        if (!allowed.contains(value.stringValue())) {
            error(ptr, INVALID_VALUE, label(ptr) + " must be one of " + allowed);
            return null;
        }
        return value.stringValue();
    }

    private void knownFields(JsonNode node, String ptr, Set<String> allowed) {
        for (String field : node.propertyNames()) {
            if (!allowed.contains(field)) {
                unknown(ptr, field);
            }
        }
    }

    private void unknown(String ptr, String field) {
        error(child(ptr, field), UNKNOWN_FIELD, "Unknown field '" + field + "'"
                + (ptr.isEmpty() ? "" : " in " + label(ptr)));
    }

    private void error(String pointer, String code, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new FieldError(pointer, code, message));
        }
    }

    /** RFC 6901: {@code ~} and {@code /} in a member name are escaped. */
    static String child(String ptr, String field) {
        return ptr + "/" + field.replace("~", "~0").replace("/", "~1");
    }

    /** {@code /storage/disks/0/size} → {@code storage.disks[0].size}, for messages. */
    static String label(String ptr) {
        var out = new StringBuilder();
        for (String token : ptr.substring(1).split("/", -1)) {
            String name = token.replace("~1", "/").replace("~0", "~");
            if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                out.append('[').append(name).append(']');
            }
            else {
                out.append(out.isEmpty() ? "" : ".").append(name);
            }
        }
        return out.toString();
    }

    /** An IPv4 dotted quad or an IPv6 literal, checked without ever resolving a name. */
    static boolean isIpLiteral(String text) {
        if (IPV4.matcher(text).matches()) {
            return true;
        }
        if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
            return false;
        }
        try {
            // A string with a colon that starts with a hex digit or a colon is parsed as a literal, never looked up.
            InetAddress.getByName(text);
            return true;
        }
        catch (UnknownHostException e) {
            return false;
        }
    }
}
