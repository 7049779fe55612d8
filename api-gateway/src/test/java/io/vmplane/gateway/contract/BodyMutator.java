package io.vmplane.gateway.contract;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import io.vmplane.gateway.vm.Examples;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Invalid create bodies, made by mutating one of the seed's three examples once: a seeded, reproducible stream (the
 * same seed gives the same bodies). Every kind names itself, so a failure can be traced to its mutation.
 */
final class BodyMutator {

    /** One invalid body: the mutation's kind, a short description and the bytes to send. */
    record Mutant(String kind, String description, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> EXAMPLES = List.of(Examples.SIMPLE, Examples.GPU, Examples.MULTI_DISK);
    /** The body limit of the gateway (64 KiB by default); some huge values go past it on purpose. */
    static final int BODY_LIMIT = 64 * 1024;

    private final Random random;
    private final List<Map.Entry<String, Function<ObjectNode, Object>>> mutations = new ArrayList<>();

    BodyMutator(long seed) {
        this.random = new Random(seed);
        add("drop-required", this::dropRequired);
        add("wrong-type", this::wrongType);
        add("out-of-range", this::outOfRange);
        add("bad-pattern", this::badPattern);
        add("bad-enum", this::badEnum);
        add("unknown-field", this::unknownField);
        add("removed-v1-field", this::removedField);
        add("null-value", this::nullValue);
        add("conflicting-fields", this::conflicting);
        add("too-many-items", this::tooMany);
        add("admin-only-field", this::adminOnly);
        add("deep-nesting", this::deepNesting);
        add("huge-string", this::hugeString);
        add("truncated-json", this::truncated);
        add("not-an-object", this::notAnObject);
        add("duplicate-member", this::duplicateMember);
        add("invalid-utf8", this::invalidUtf8);
    }

    private void add(String kind, Function<ObjectNode, Object> mutation) {
        mutations.add(Map.entry(kind, mutation));
    }

    /** The next invalid body. */
    Mutant next() {
        ObjectNode body = (ObjectNode) JSON.readTree(EXAMPLES.get(random.nextInt(EXAMPLES.size())));
        var mutation = mutations.get(random.nextInt(mutations.size()));
        Object result = mutation.getValue().apply(body);
        if (result instanceof Mutant mutant) {
            return mutant;
        }
        return new Mutant(mutation.getKey(), (String) result, JSON.writeValueAsBytes(body));
    }

    // ---- the mutations: each changes the body in place and describes the change, or makes raw bytes ----

    private Object dropRequired(ObjectNode body) {
        List<Runnable> choices = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String field : List.of("name", "memory", "vcpus", "storage")) {
            choices.add(() -> body.remove(field));
            names.add("/" + field);
        }
        ObjectNode storage = (ObjectNode) body.get("storage");
        for (String field : List.of("default_pool", "disks")) {
            choices.add(() -> storage.remove(field));
            names.add("/storage/" + field);
        }
        ArrayNode disks = (ArrayNode) storage.get("disks");
        for (int i = 0; i < disks.size(); i++) {
            ObjectNode disk = (ObjectNode) disks.get(i);
            choices.add(() -> disk.remove("action"));
            names.add("/storage/disks/" + i + "/action");
            choices.add(() -> disk.remove("size"));
            names.add("/storage/disks/" + i + "/size");
        }
        if (body.has("pci_devices")) {
            ObjectNode pci = (ObjectNode) body.get("pci_devices").get(0);
            String field = random.nextBoolean() ? "vendor_id" : "product_id";
            choices.add(() -> pci.remove(field));
            names.add("/pci_devices/0/" + field);
        }
        int pick = random.nextInt(choices.size());
        choices.get(pick).run();
        return "without " + names.get(pick);
    }

    /** Pointers of every value of the body that has a schema: the mutations below pick one. */
    private List<String> valuePointers(ObjectNode body) {
        List<String> pointers = new ArrayList<>(List.of("/name", "/memory", "/vcpus", "/storage",
                "/storage/default_pool", "/storage/disks"));
        if (body.at("/storage").has("boot_iso")) {
            pointers.add("/storage/boot_iso");
        }
        JsonNode disks = body.at("/storage/disks");
        for (int i = 0; i < disks.size(); i++) {
            for (String field : List.of("", "/action", "/size", "/pool")) {
                if (field.isEmpty() || disks.get(i).has(field.substring(1))) {
                    pointers.add("/storage/disks/" + i + field);
                }
            }
        }
        if (body.has("pci_devices")) {
            pointers.addAll(List.of("/pci_devices", "/pci_devices/0", "/pci_devices/0/vendor_id",
                    "/pci_devices/0/product_id"));
        }
        if (body.has("graphics")) {
            pointers.addAll(List.of("/graphics", "/graphics/type"));
        }
        return pointers;
    }

    private static void set(ObjectNode body, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash == 0 ? body : body.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), value);
        }
        else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    private Object wrongType(ObjectNode body) {
        List<String> pointers = valuePointers(body);
        String pointer = pointers.get(random.nextInt(pointers.size()));
        JsonNode current = body.at(pointer);
        JsonNode replacement;
        do {
            replacement = switch (random.nextInt(8)) {
                case 0 -> NODES.stringNode(current.isString() ? "x" : current.toString());
                case 1 -> NODES.numberNode(random.nextInt(1000) + 1);
                case 2 -> NODES.numberNode(2.5 + random.nextInt(100));
                case 3 -> NODES.booleanNode(random.nextBoolean());
                case 4 -> NODES.objectNode();
                case 5 -> NODES.arrayNode().add(current.deepCopy());
                case 6 -> NODES.stringNode(String.valueOf(random.nextInt(4096) + 1));
                default -> NODES.arrayNode();
            };
        } while (sameType(current, replacement));
        set(body, pointer, replacement);
        return pointer + " as " + replacement.getNodeType() + " " + abbreviate(replacement.toString());
    }

    private static boolean sameType(JsonNode current, JsonNode replacement) {
        if (current.isIntegralNumber()) {
            return replacement.isIntegralNumber();
        }
        return current.getNodeType() == replacement.getNodeType();
    }

    private Object outOfRange(ObjectNode body) {
        record Range(String pointer, long min, long max) {
        }
        List<Range> ranges = new ArrayList<>(List.of(new Range("/memory", 128, 4_194_304),
                new Range("/vcpus", 1, 512)));
        JsonNode disks = body.at("/storage/disks");
        for (int i = 0; i < disks.size(); i++) {
            ranges.add(new Range("/storage/disks/" + i + "/size", 1, 65_536));
        }
        Range range = ranges.get(random.nextInt(ranges.size()));
        JsonNode value = switch (random.nextInt(7)) {
            case 0 -> NODES.numberNode(range.min - 1);
            case 1 -> NODES.numberNode(range.max + 1);
            case 2 -> NODES.numberNode(-1 - random.nextInt(1_000_000));
            case 3 -> NODES.numberNode(range.max + 1 + (long) random.nextInt(Integer.MAX_VALUE));
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> NODES.numberNode(new java.math.BigInteger("9".repeat(20 + random.nextInt(300))));
            default -> NODES.numberNode(Long.MIN_VALUE);
        };
        set(body, range.pointer, value);
        return range.pointer + " = " + abbreviate(value.toString());
    }

    private static final List<String> BAD_NAMES = List.of("", " ", "has space", "-leading-dash", ".leading-dot",
            "_leading", "trailing space ", "tab\there", "new\nline", "slash/name", "back\\slash", "ünïcödé",
            "名前", "emoji-\uD83D\uDE00", "x".repeat(64), "semi;colon", "quote'", "dollar$", "a:b", "nul\u0000",
            "zero\u200Bwidth", "percent%20");
    private static final List<String> BAD_VOLUMES = List.of("", "/isos/ubuntu.iso", "../ubuntu.iso",
            "/var/lib/libvirt/images/ubuntu.iso", "dir/ubuntu.iso", " ubuntu.iso", "ubuntu iso", "ubuntu.iso\n",
            "-rf", "ünïcode.iso", "C:\\isos\\a.iso", "~/a.iso", "x".repeat(256), "file:///etc/passwd", "a*b",
            "nul\u0000.iso");
    private static final List<String> BAD_POOLS = List.of("", "/var/lib/libvirt/images", "..", "../default",
            "pool/sub", "with space", "ünï", "x".repeat(65), "+plus", "a+b", "default\t", "-dash");
    private static final List<String> BAD_PCI_IDS = List.of("", "10DE", "10d", "10dee", "0x10", "zzzz", " 10de",
            "10de ", "１０ｄｅ");
    private static final List<String> BAD_ADDRESSES = List.of("3b:00.0", "0000:3b:00.8", "0000:3B:00.0",
            "0000:3b:00", "0000-3b-00.0", "00000:3b:00.0", "0000:3b:00.0 ", "");

    private Object badPattern(ObjectNode body) {
        List<String> choices = new ArrayList<>(List.of("/name", "/storage/default_pool"));
        if (body.at("/storage").has("boot_iso")) {
            choices.add("/storage/boot_iso");
        }
        JsonNode disks = body.at("/storage/disks");
        for (int i = 0; i < disks.size(); i++) {
            choices.add("/storage/disks/" + i + "/pool");
            choices.add("/storage/disks/" + i + "/volume");
        }
        if (body.has("pci_devices")) {
            choices.addAll(List.of("/pci_devices/0/vendor_id", "/pci_devices/0/product_id", "/pci_devices/0"));
        }
        String pointer = choices.get(random.nextInt(choices.size()));
        String value;
        if (pointer.equals("/name")) {
            value = pick(BAD_NAMES);
        }
        else if (pointer.endsWith("pool")) {
            value = pick(BAD_POOLS);
        }
        else if (pointer.endsWith("volume")) {
            // an attached disk whose volume is a path
            ObjectNode disk = (ObjectNode) body.at(pointer.substring(0, pointer.lastIndexOf('/')));
            disk.put("action", "attach");
            disk.remove("size");
            value = pick(BAD_VOLUMES);
        }
        else if (pointer.equals("/storage/boot_iso")) {
            value = pick(BAD_VOLUMES);
        }
        else if (pointer.equals("/pci_devices/0")) {
            String address = pick(BAD_ADDRESSES);
            set(body, pointer, NODES.objectNode().put("address", address));
            return pointer + "/address = " + quote(address);
        }
        else {
            value = pick(BAD_PCI_IDS);
        }
        set(body, pointer, NODES.stringNode(value));
        return pointer + " = " + quote(value);
    }

    private Object badEnum(ObjectNode body) {
        int disk = random.nextInt(body.at("/storage/disks").size());
        String base = "/storage/disks/" + disk;
        return switch (random.nextInt(4)) {
            case 0 -> enumValue(body, base + "/action", List.of("delete", "CREATE", "Create", "", "resize", "clone"));
            case 1 -> enumValue(body, base + "/format", List.of("vmdk", "QCOW2", "qcow", "vdi", "", "iso"));
            case 2 -> enumValue(body, base + "/bus", List.of("ide", "VIRTIO", "usb", "nvme", "", "fdc"));
            default -> enumValue(body, "/graphics/type", List.of("rdp", "VNC", "x11", "", "sdl", "Spice"));
        };
    }

    private String enumValue(ObjectNode body, String pointer, List<String> values) {
        if (pointer.startsWith("/graphics") && !body.has("graphics")) {
            body.set("graphics", NODES.objectNode());
        }
        String value = pick(values);
        set(body, pointer, NODES.stringNode(value));
        return pointer + " = " + quote(value);
    }

    private static final List<String> UNKNOWN_NAMES = List.of("x", "colour", "Name", "MEMORY", "vcpu", "cpus",
            "ram", "size_gb", "description", "tags", "ssh_keys", "cloud_init", "disk", "__proto__", "constructor",
            "", " ", "名前", "storage ", "id", "status", "project", "user", "host", "domain_xml", "operation_id",
            "created_at");

    private Object unknownField(ObjectNode body) {
        List<String> objects = new ArrayList<>(List.of("", "/storage"));
        JsonNode disks = body.at("/storage/disks");
        for (int i = 0; i < disks.size(); i++) {
            objects.add("/storage/disks/" + i);
        }
        if (body.has("pci_devices")) {
            objects.add("/pci_devices/0");
        }
        if (body.has("graphics")) {
            objects.add("/graphics");
        }
        String at = objects.get(random.nextInt(objects.size()));
        ObjectNode target = at.isEmpty() ? body : (ObjectNode) body.at(at);
        String name;
        do {
            name = pick(UNKNOWN_NAMES);
        } while (target.has(name));
        JsonNode value = switch (random.nextInt(5)) {
            case 0 -> NODES.stringNode("value");
            case 1 -> NODES.numberNode(1);
            case 2 -> NODES.nullNode();
            case 3 -> NODES.objectNode();
            default -> NODES.booleanNode(true);
        };
        target.set(name, value);
        return at + "/" + name + " added";
    }

    private Object removedField(ObjectNode body) {
        List<String> added = new ArrayList<>();
        int mask = 1 + random.nextInt(7);
        if ((mask & 1) != 0) {
            body.put("storage_pool", "default");
            added.add("storage_pool");
        }
        if ((mask & 2) != 0) {
            body.put("iso_path", random.nextBoolean() ? "/isos/ubuntu.iso" : "ubuntu.iso");
            added.add("iso_path");
        }
        if ((mask & 4) != 0) {
            body.set("disks", NODES.arrayNode().add(NODES.objectNode().put("size", 10)));
            added.add("disks");
        }
        if (random.nextBoolean()) {
            body.remove("storage");
            added.add("(without storage)");
        }
        return "v1 fields " + added;
    }

    private Object nullValue(ObjectNode body) {
        List<String> pointers = valuePointers(body);
        pointers.add("/pci_devices");
        pointers.add("/graphics");
        pointers.add("/placement");
        pointers.add("/storage/boot_iso");
        String pointer = pointers.get(random.nextInt(pointers.size()));
        set(body, pointer, NODES.nullNode());
        return pointer + " = null";
    }

    private Object conflicting(ObjectNode body) {
        ObjectNode disk = (ObjectNode) body.at("/storage/disks/" + random.nextInt(body.at("/storage/disks").size()));
        return switch (random.nextInt(6)) {
            case 0 -> {
                disk.put("volume", "existing.qcow2");
                yield "create with a volume";
            }
            case 1 -> {
                disk.put("action", "attach");
                disk.put("volume", "existing.qcow2");
                yield "attach with a size";
            }
            case 2 -> {
                disk.put("action", "attach");
                disk.remove("size");
                yield "attach without a volume";
            }
            case 3 -> {
                body.set("pci_devices", NODES.arrayNode().add(NODES.objectNode().put("address", "0000:3b:00.0")
                        .put("vendor_id", "10de").put("product_id", "1eb8")));
                yield "pci device by address and by ids";
            }
            case 4 -> {
                body.set("pci_devices", NODES.arrayNode().add(NODES.objectNode()));
                yield "pci device by neither";
            }
            default -> {
                ObjectNode storage = (ObjectNode) body.get("storage");
                storage.remove("boot_iso");
                storage.set("disks", NODES.arrayNode());
                yield "no disks and no boot ISO";
            }
        };
    }

    private Object tooMany(ObjectNode body) {
        if (random.nextBoolean()) {
            ArrayNode disks = NODES.arrayNode();
            int count = 17 + random.nextInt(50);
            for (int i = 0; i < count; i++) {
                disks.add(NODES.objectNode().put("action", "create").put("size", 1));
            }
            ((ObjectNode) body.get("storage")).set("disks", disks);
            return count + " disks";
        }
        ArrayNode devices = NODES.arrayNode();
        int count = 9 + random.nextInt(20);
        for (int i = 0; i < count; i++) {
            devices.add(NODES.objectNode().put("vendor_id", "10de").put("product_id", "1eb8"));
        }
        body.set("pci_devices", devices);
        return count + " pci devices";
    }

    private Object adminOnly(ObjectNode body) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                body.set("placement", NODES.objectNode().put("host", "qemu-1"));
                yield "placement from a non-admin";
            }
            case 1 -> {
                body.set("graphics", NODES.objectNode().put("type", "vnc").put("listen", "0.0.0.0"));
                yield "graphics.listen from a non-admin";
            }
            default -> {
                body.set("graphics", NODES.objectNode().put("type", "spice").put("port", 5900 + random.nextInt(100)));
                yield "graphics.port from a non-admin";
            }
        };
    }

    private Object deepNesting(ObjectNode body) {
        int depth = 50 + random.nextInt(30_000);
        boolean arrays = random.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        int fit = (BODY_LIMIT - 300) / open.length();
        depth = Math.min(depth, fit);
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        List<String> pointers = valuePointers(body);
        String pointer = pointers.get(random.nextInt(pointers.size()));
        String marker = "\"@@nested@@\"";
        set(body, pointer, NODES.stringNode("@@nested@@"));
        String text = JSON.writeValueAsString(body).replace(marker, nested);
        return new Mutant("deep-nesting", pointer + " nested " + depth + " deep in " + (arrays ? "arrays" : "objects"),
                text.getBytes(StandardCharsets.UTF_8));
    }

    private Object hugeString(ObjectNode body) {
        int length = random.nextInt(4) == 0 ? BODY_LIMIT + random.nextInt(BODY_LIMIT)
                : 256 + random.nextInt(BODY_LIMIT - 1024);
        char fill = "xé-名 0".charAt(random.nextInt(6));
        String value = String.valueOf(fill).repeat(length);
        List<String> choices = List.of("/name", "/storage/default_pool", "/storage/boot_iso", "/graphics/type",
                "/storage/disks/0/pool", "/storage/disks/0/action");
        String pointer = choices.get(random.nextInt(choices.size()));
        if (pointer.startsWith("/graphics") && !body.has("graphics")) {
            body.set("graphics", NODES.objectNode());
        }
        set(body, pointer, NODES.stringNode(value));
        return pointer + " = " + length + " × '" + fill + "'";
    }

    private Object truncated(ObjectNode body) {
        byte[] whole = JSON.writeValueAsBytes(body);
        int cut = 1 + random.nextInt(whole.length - 1);
        byte[] part = new byte[cut];
        System.arraycopy(whole, 0, part, 0, cut);
        return new Mutant("truncated-json", "cut after " + cut + " of " + whole.length + " bytes", part);
    }

    private Object notAnObject(ObjectNode body) {
        String text = pick(List.of("", " ", "\n", "null", "[]", "[" + JSON.writeValueAsString(body) + "]", "42",
                "\"test-vm\"", "true", "{}", "{", "}", "{\"name\"}", "{'name': 'test-vm'}", "name=test-vm&memory=4096",
                "<vm><name>test-vm</name></vm>", "{\"name\": \"test-vm\",}", "\uFEFF",
                JSON.writeValueAsString(body) + JSON.writeValueAsString(body), JSON.writeValueAsString(body) + "x",
                "{\"name\": \"test-vm\" /* comment */}", "{\"memory\": NaN}", "{\"memory\": 0x10}"));
        return new Mutant("not-an-object", quote(abbreviate(text)), text.getBytes(StandardCharsets.UTF_8));
    }

    private Object duplicateMember(ObjectNode body) {
        String text = JSON.writeValueAsString(body);
        String member = pick(List.of("name", "memory", "vcpus", "storage"));
        String duplicate = switch (member) {
            case "name" -> "\"name\":\"again\",";
            case "memory" -> "\"memory\":2048,";
            case "vcpus" -> "\"vcpus\":1,";
            default -> "\"storage\":{\"default_pool\":\"default\",\"boot_iso\":\"ubuntu.iso\",\"disks\":[]},";
        };
        text = "{" + duplicate + text.substring(1);
        return new Mutant("duplicate-member", "/" + member + " twice", text.getBytes(StandardCharsets.UTF_8));
    }

    private Object invalidUtf8(ObjectNode body) {
        byte[] bad = switch (random.nextInt(4)) {
            case 0 -> new byte[] {(byte) 0xC3};
            case 1 -> new byte[] {(byte) 0xFF, (byte) 0xFE};
            case 2 -> new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
            default -> new byte[] {(byte) 0xC0, (byte) 0xAF};
        };
        String text = JSON.writeValueAsString(body);
        int at = text.indexOf("\"" + body.get("name").stringValue() + "\"") + 2;
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = text.substring(at).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        System.arraycopy(tail, 0, all, head.length + bad.length, tail.length);
        return new Mutant("invalid-utf8", bad.length + " invalid bytes inside /name", all);
    }

    private String pick(List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String quote(String value) {
        return JSON.writeValueAsString(value);
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "…";
    }
}
