package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.PlacementSpec;
import io.vmplane.schemas.vm.VmSpec;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class CreateRequestValidatorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ObjectNode body(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    private static ObjectNode simple() {
        return body(Examples.SIMPLE);
    }

    private static CreateRequestValidator.Result user(JsonNode body) {
        return CreateRequestValidator.validate(body, false);
    }

    private static CreateRequestValidator.Result admin(JsonNode body) {
        return CreateRequestValidator.validate(body, true);
    }

    private static ObjectNode disk0(ObjectNode body) {
        return (ObjectNode) body.get("storage").get("disks").get(0);
    }

    private static FieldError only(CreateRequestValidator.Result result) {
        assertThat(result.valid()).isFalse();
        assertThat(result.spec()).isNull();
        assertThat(result.errors()).hasSize(1);
        return result.errors().get(0);
    }

    private static void assertOnly(CreateRequestValidator.Result result, String pointer, String code) {
        FieldError error = only(result);
        assertThat(error.pointer()).isEqualTo(pointer);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.message()).isNotBlank();
    }

    @Nested
    class Examples_ {

        @Test
        void shouldAcceptSimpleExampleAndApplyDiskDefaults() {
            // Given the seed's first example
            // When a non-admin sends it
            var result = user(body(Examples.SIMPLE));
            // Then it is valid and normalised
            assertThat(result.errors()).isEmpty();
            VmSpec spec = result.spec();
            assertThat(spec.name()).isEqualTo("test-vm");
            assertThat(spec.memory()).isEqualTo(4096);
            assertThat(spec.vcpus()).isEqualTo(2);
            assertThat(spec.storage().defaultPool()).isEqualTo("default");
            assertThat(spec.storage().bootIso()).isEqualTo("ubuntu.iso");
            assertThat(spec.storage().disks()).containsExactly(new DiskSpec(DiskSpec.Action.CREATE, 20L, "default",
                    null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO));
            assertThat(spec.graphics()).isEqualTo(GraphicsSpec.DEFAULT);
            assertThat(spec.pciDevices()).isEmpty();
            assertThat(spec.placement()).isNull();
        }

        @Test
        void shouldAcceptGpuExample() {
            var result = user(body(Examples.GPU));
            assertThat(result.errors()).isEmpty();
            assertThat(result.spec().pciDevices()).containsExactly(new PciDeviceSpec(null, "10de", "1eb8"));
            assertThat(result.spec().graphics()).isEqualTo(new GraphicsSpec(GraphicsSpec.Type.VNC, null, null));
        }

        @Test
        void shouldAcceptMultiDiskExampleWithPoolsDefaultingToDefaultPool() {
            var result = user(body(Examples.MULTI_DISK));
            assertThat(result.errors()).isEmpty();
            assertThat(result.spec().storage().bootIso()).isNull();
            assertThat(result.spec().storage().disks()).extracting(DiskSpec::pool, DiskSpec::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("default", 20L),
                            org.assertj.core.groups.Tuple.tuple("fast", 100L),
                            org.assertj.core.groups.Tuple.tuple("bulk", 500L));
        }
    }

    @Nested
    class RemovedFields {

        @ParameterizedTest
        @CsvSource({"storage_pool, '\"default\"', storage.default_pool",
                "iso_path, '\"/var/lib/libvirt/images/ubuntu.iso\"', storage.boot_iso",
                "disks, '[{\"action\": \"create\", \"size\": 20}]', storage.disks"})
        void shouldRejectRemovedRootFieldNamingWhereItMoved(String field, String value, String movedTo) {
            // Given a valid body that also carries a removed v1 root field
            ObjectNode body = simple();
            body.set(field, JSON.readTree(value));
            // When it is validated
            FieldError error = only(user(body));
            // Then the field is refused with its pointer and a message naming the new place
            assertThat(error.pointer()).isEqualTo("/" + field);
            assertThat(error.code()).isEqualTo(ErrorCodes.REMOVED_FIELD);
            assertThat(error.message()).contains(field).contains(movedTo);
        }

        @Test
        void shouldSayBootIsoIsAVolumeNameWhenIsoPathIsSent() {
            ObjectNode body = simple();
            body.put("iso_path", "/isos/ubuntu.iso");
            assertThat(only(user(body)).message()).contains("volume name").contains("not a path");
        }

        @Test
        void shouldReportEveryRemovedFieldOfAV1Body() {
            // Given a v1 body
            var body = body("""
                    {"name": "old", "memory": 1024, "vcpus": 1, "storage_pool": "default",
                     "iso_path": "/isos/a.iso", "disks": [{"size": 10}]}""");
            // When it is validated
            var result = user(body);
            // Then each removed field and the missing storage are reported
            assertThat(result.errors()).extracting(FieldError::pointer, FieldError::code).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("/storage_pool", ErrorCodes.REMOVED_FIELD),
                    org.assertj.core.groups.Tuple.tuple("/iso_path", ErrorCodes.REMOVED_FIELD),
                    org.assertj.core.groups.Tuple.tuple("/disks", ErrorCodes.REMOVED_FIELD),
                    org.assertj.core.groups.Tuple.tuple("/storage", ErrorCodes.REQUIRED));
        }
    }

    @Nested
    class UnknownFields {

        @Test
        void shouldRejectUnknownRootField() {
            ObjectNode body = simple();
            body.put("colour", "blue");
            assertOnly(user(body), "/colour", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldRejectUnknownStorageField() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("iso_path", "x");
            assertOnly(user(body), "/storage/iso_path", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldRejectUnknownDiskField() {
            ObjectNode body = simple();
            disk0(body).put("cache", "none");
            assertOnly(user(body), "/storage/disks/0/cache", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldRejectUnknownPciDeviceField() {
            ObjectNode body = body(Examples.GPU);
            ((ObjectNode) body.get("pci_devices").get(0)).put("slot", 1);
            assertOnly(user(body), "/pci_devices/0/slot", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldRejectUnknownGraphicsField() {
            ObjectNode body = body(Examples.GPU);
            ((ObjectNode) body.get("graphics")).put("password", "x");
            assertOnly(user(body), "/graphics/password", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldRejectUnknownPlacementFieldForAdmin() {
            ObjectNode body = simple();
            body.set("placement", JSON.readTree("{\"host\": \"sim-1\", \"zone\": \"a\"}"));
            assertOnly(admin(body), "/placement/zone", ErrorCodes.UNKNOWN_FIELD);
        }

        @Test
        void shouldEscapeUnknownFieldNamesInPointers() {
            ObjectNode body = simple();
            body.put("a/b~c", 1);
            assertOnly(user(body), "/a~1b~0c", ErrorCodes.UNKNOWN_FIELD);
        }
    }

    @Nested
    class Required {

        @ParameterizedTest
        @ValueSource(strings = {"name", "memory", "vcpus", "storage"})
        void shouldRequireRootField(String field) {
            ObjectNode body = simple();
            body.remove(field);
            assertOnly(user(body), "/" + field, ErrorCodes.REQUIRED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"default_pool", "disks"})
        void shouldRequireStorageField(String field) {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).remove(field);
            assertOnly(user(body), "/storage/" + field, ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRequireDiskAction() {
            ObjectNode body = simple();
            disk0(body).remove("action");
            assertOnly(user(body), "/storage/disks/0/action", ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRejectEmptyDisksWithoutBootIso() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).remove("boot_iso");
            ((ObjectNode) body.get("storage")).set("disks", JSON.createArrayNode());
            assertOnly(user(body), "/storage/disks", ErrorCodes.TOO_FEW_ITEMS);
        }

        @Test
        void shouldAcceptEmptyDisksWithBootIso() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).set("disks", JSON.createArrayNode());
            var result = user(body);
            assertThat(result.errors()).isEmpty();
            assertThat(result.spec().storage().disks()).isEmpty();
        }

        @Test
        void shouldRejectNullForAnyField() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).putNull("boot_iso");
            assertOnly(user(body), "/storage/boot_iso", ErrorCodes.INVALID_TYPE);
        }
    }

    @Nested
    class Ranges {

        @ParameterizedTest
        @CsvSource({"memory, 127, false", "memory, 128, true", "memory, 4194304, true", "memory, 4194305, false",
                "vcpus, 0, false", "vcpus, 1, true", "vcpus, 512, true", "vcpus, 513, false",
                "memory, -1, false", "memory, 99999999999999999999999, false"})
        void shouldEnforceRootRange(String field, String value, boolean valid) {
            ObjectNode body = simple();
            body.set(field, JSON.readTree(value));
            var result = user(body);
            if (valid) {
                assertThat(result.errors()).isEmpty();
            }
            else {
                assertOnly(result, "/" + field, ErrorCodes.OUT_OF_RANGE);
            }
        }

        @ParameterizedTest
        @CsvSource({"0, false", "1, true", "65536, true", "65537, false"})
        void shouldEnforceDiskSizeRange(long size, boolean valid) {
            ObjectNode body = simple();
            disk0(body).put("size", size);
            var result = user(body);
            if (valid) {
                assertThat(result.spec().storage().disks().get(0).size()).isEqualTo(size);
            }
            else {
                assertOnly(result, "/storage/disks/0/size", ErrorCodes.OUT_OF_RANGE);
            }
        }

        @ParameterizedTest
        @CsvSource({"5899, false", "5900, true", "65535, true", "65536, false"})
        void shouldEnforceGraphicsPortRangeForAdmin(int port, boolean valid) {
            ObjectNode body = simple();
            body.set("graphics", JSON.readTree("{\"type\": \"vnc\", \"port\": " + port + "}"));
            var result = admin(body);
            if (valid) {
                assertThat(result.spec().graphics().port()).isEqualTo(port);
            }
            else {
                assertOnly(result, "/graphics/port", ErrorCodes.OUT_OF_RANGE);
            }
        }

        @Test
        void shouldAcceptSixteenDisksAndRejectSeventeen() {
            ObjectNode body = simple();
            ArrayNode disks = (ArrayNode) body.get("storage").get("disks");
            for (int i = 1; i < 16; i++) {
                disks.add(JSON.readTree("{\"action\": \"create\", \"size\": 1}"));
            }
            assertThat(user(body).errors()).isEmpty();
            disks.add(JSON.readTree("{\"action\": \"create\", \"size\": 1}"));
            assertOnly(user(body), "/storage/disks", ErrorCodes.TOO_MANY_ITEMS);
        }

        @Test
        void shouldAcceptEightPciDevicesAndRejectNine() {
            ObjectNode body = simple();
            ArrayNode devices = body.putArray("pci_devices");
            for (int i = 0; i < 8; i++) {
                devices.add(JSON.readTree("{\"address\": \"0000:3b:00." + i + "\"}"));
            }
            assertThat(user(body).errors()).isEmpty();
            devices.add(JSON.readTree("{\"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}"));
            assertOnly(user(body), "/pci_devices", ErrorCodes.TOO_MANY_ITEMS);
        }

        @Test
        void shouldAcceptNamesUpTo63CharactersAndRejectLonger() {
            ObjectNode body = simple();
            body.put("name", "a".repeat(63));
            assertThat(user(body).errors()).isEmpty();
            body.put("name", "a".repeat(64));
            assertOnly(user(body), "/name", ErrorCodes.INVALID_FORMAT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"-vm", ".vm", "vm one", "vm/1", "", "vm!"})
        void shouldRejectBadNames(String name) {
            ObjectNode body = simple();
            body.put("name", name);
            assertOnly(user(body), "/name", ErrorCodes.INVALID_FORMAT);
        }

        @Test
        void shouldAcceptPoolNamesUpTo64CharactersAndRejectLonger() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("default_pool", "p".repeat(64));
            assertThat(user(body).errors()).isEmpty();
            ((ObjectNode) body.get("storage")).put("default_pool", "p".repeat(65));
            assertOnly(user(body), "/storage/default_pool", ErrorCodes.INVALID_FORMAT);
        }

        @Test
        void shouldAcceptVolumeNamesUpTo255CharactersAndRejectLonger() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("boot_iso", "v".repeat(251) + ".iso");
            assertThat(user(body).errors()).isEmpty();
            ((ObjectNode) body.get("storage")).put("boot_iso", "v".repeat(252) + ".iso");
            assertOnly(user(body), "/storage/boot_iso", ErrorCodes.INVALID_FORMAT);
        }
    }

    @Nested
    class Storage {

        @ParameterizedTest
        @ValueSource(strings = {"/var/lib/libvirt/images", "../default", "default/x"})
        void shouldRejectPathAsDefaultPool(String pool) {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("default_pool", pool);
            assertOnly(user(body), "/storage/default_pool", ErrorCodes.INVALID_FORMAT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"/isos/ubuntu.iso", "isos/ubuntu.iso", "../ubuntu.iso"})
        void shouldRejectPathAsBootIso(String iso) {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("boot_iso", iso);
            assertOnly(user(body), "/storage/boot_iso", ErrorCodes.INVALID_FORMAT);
        }

        @Test
        void shouldRefuseToAttachAVolumeThatBelongsToAnotherVm() {
            ObjectNode body = simple();
            disk0(body).remove("size");
            disk0(body).put("action", "attach").put("volume", "vm-75790cea-26d1-5728-ada5-91d48484b634-disk0.qcow2");
            assertOnly(user(body), "/storage/disks/0/volume", ErrorCodes.INVALID_VALUE);
        }

        @Test
        void shouldAcceptPlusInVolumeNames() {
            ObjectNode body = simple();
            ((ObjectNode) body.get("storage")).put("boot_iso", "debian-12+nonfree.iso");
            assertThat(user(body).errors()).isEmpty();
        }

        @Test
        void shouldRequireSizeForCreate() {
            ObjectNode body = simple();
            disk0(body).remove("size");
            assertOnly(user(body), "/storage/disks/0/size", ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRejectVolumeOnCreate() {
            ObjectNode body = simple();
            disk0(body).put("volume", "data.qcow2");
            assertOnly(user(body), "/storage/disks/0/volume", ErrorCodes.CONFLICTING_FIELDS);
        }

        @Test
        void shouldAcceptAttachWithVolumeAndOwnPoolFormatAndBus() {
            ObjectNode body = simple();
            ((ArrayNode) body.get("storage").get("disks")).add(JSON.readTree("""
                    {"action": "attach", "volume": "data.img", "pool": "bulk", "format": "raw", "bus": "scsi"}"""));
            var result = user(body);
            assertThat(result.errors()).isEmpty();
            assertThat(result.spec().storage().disks().get(1)).isEqualTo(new DiskSpec(DiskSpec.Action.ATTACH, null,
                    "bulk", "data.img", DiskSpec.Format.RAW, DiskSpec.Bus.SCSI));
        }

        @Test
        void shouldRequireVolumeForAttach() {
            ObjectNode body = simple();
            body.withObject("/storage").set("disks", JSON.readTree("[{\"action\": \"attach\"}]"));
            assertOnly(user(body), "/storage/disks/0/volume", ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRejectSizeOnAttach() {
            ObjectNode body = simple();
            body.withObject("/storage").set("disks",
                    JSON.readTree("[{\"action\": \"attach\", \"volume\": \"v1\", \"size\": 10}]"));
            assertOnly(user(body), "/storage/disks/0/size", ErrorCodes.CONFLICTING_FIELDS);
        }

        @Test
        void shouldRejectPathAsAttachedVolume() {
            ObjectNode body = simple();
            body.withObject("/storage").set("disks",
                    JSON.readTree("[{\"action\": \"attach\", \"volume\": \"/dev/sda\"}]"));
            assertOnly(user(body), "/storage/disks/0/volume", ErrorCodes.INVALID_FORMAT);
        }

        @ParameterizedTest
        @CsvSource({"action, resize", "format, vmdk", "bus, ide"})
        void shouldRejectUnknownEnumValues(String field, String value) {
            ObjectNode body = simple();
            disk0(body).put(field, value);
            assertOnly(user(body), "/storage/disks/0/" + field, ErrorCodes.INVALID_VALUE);
        }

        @Test
        void shouldRejectBadDiskPoolName() {
            ObjectNode body = simple();
            disk0(body).put("pool", "/mnt/fast");
            assertOnly(user(body), "/storage/disks/0/pool", ErrorCodes.INVALID_FORMAT);
        }
    }

    @Nested
    class PciDevices {

        private CreateRequestValidator.Result withDevice(String device) {
            ObjectNode body = simple();
            body.putArray("pci_devices").add(JSON.readTree(device));
            return user(body);
        }

        @Test
        void shouldAcceptAddressForm() {
            var result = withDevice("{\"address\": \"0000:3b:00.0\"}");
            assertThat(result.spec().pciDevices()).containsExactly(new PciDeviceSpec("0000:3b:00.0", null, null));
        }

        @Test
        void shouldAcceptVendorProductForm() {
            var result = withDevice("{\"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}");
            assertThat(result.spec().pciDevices()).containsExactly(new PciDeviceSpec(null, "10de", "1eb8"));
        }

        @Test
        void shouldRejectBothForms() {
            assertOnly(withDevice("{\"address\": \"0000:3b:00.0\", \"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}"),
                    "/pci_devices/0", ErrorCodes.CONFLICTING_FIELDS);
        }

        @Test
        void shouldRejectNeitherForm() {
            assertOnly(withDevice("{}"), "/pci_devices/0", ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRequireProductIdWithVendorId() {
            assertOnly(withDevice("{\"vendor_id\": \"10de\"}"), "/pci_devices/0/product_id", ErrorCodes.REQUIRED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0000:3b:00.8", "0000:3B:00.0", "3b:00.0", "0000:3b:00", "0000:3b:000.0"})
        void shouldRejectBadAddresses(String address) {
            assertOnly(withDevice("{\"address\": \"" + address + "\"}"), "/pci_devices/0/address",
                    ErrorCodes.INVALID_FORMAT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"10DE", "10d", "10dex", "gggg"})
        void shouldRejectBadVendorIds(String vendor) {
            assertOnly(withDevice("{\"vendor_id\": \"" + vendor + "\", \"product_id\": \"1eb8\"}"),
                    "/pci_devices/0/vendor_id", ErrorCodes.INVALID_FORMAT);
        }

        @Test
        void shouldRejectNonObjectDevice() {
            assertOnly(withDevice("\"0000:3b:00.0\""), "/pci_devices/0", ErrorCodes.INVALID_TYPE);
        }
    }

    @Nested
    class AdminOnly {

        @Test
        void shouldForbidGraphicsListenForNonAdmin() {
            ObjectNode body = simple();
            body.set("graphics", JSON.readTree("{\"type\": \"vnc\", \"listen\": \"0.0.0.0\"}"));
            assertOnly(user(body), "/graphics/listen", ErrorCodes.FORBIDDEN_FIELD);
        }

        @Test
        void shouldForbidGraphicsPortForNonAdmin() {
            ObjectNode body = simple();
            body.set("graphics", JSON.readTree("{\"port\": 5901}"));
            assertOnly(user(body), "/graphics/port", ErrorCodes.FORBIDDEN_FIELD);
        }

        @Test
        void shouldForbidPlacementForNonAdmin() {
            ObjectNode body = simple();
            body.set("placement", JSON.readTree("{\"host\": \"qemu-1\"}"));
            var result = user(body);
            assertOnly(result, "/placement", ErrorCodes.FORBIDDEN_FIELD);
            assertThat(result.forbidden()).hasSize(1);
        }

        @Test
        void shouldAcceptAdminOnlyFieldsFromAdmin() {
            ObjectNode body = simple();
            body.set("graphics", JSON.readTree("{\"type\": \"spice\", \"listen\": \"127.0.0.1\", \"port\": 5930}"));
            body.set("placement", JSON.readTree("{\"host\": \"qemu-1\"}"));
            var result = admin(body);
            assertThat(result.errors()).isEmpty();
            assertThat(result.spec().graphics()).isEqualTo(new GraphicsSpec(GraphicsSpec.Type.SPICE, "127.0.0.1",
                    5930));
            assertThat(result.spec().placement()).isEqualTo(new PlacementSpec("qemu-1"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0", "255.255.255.255"})
        void shouldAcceptIpLiteralsAsListen(String listen) {
            ObjectNode body = simple();
            body.set("graphics", JSON.createObjectNode().put("listen", listen));
            assertThat(admin(body).spec().graphics().listen()).isEqualTo(listen);
        }

        @ParameterizedTest
        @ValueSource(strings = {"localhost", "256.1.1.1", "1.2.3", "example.com", "a:b:c:d:e:f:g:h:i", "01.2.3.4"})
        void shouldRejectNonLiteralListen(String listen) {
            ObjectNode body = simple();
            body.set("graphics", JSON.createObjectNode().put("listen", listen));
            assertOnly(admin(body), "/graphics/listen", ErrorCodes.INVALID_FORMAT);
        }

        @Test
        void shouldRequirePlacementHostForAdmin() {
            ObjectNode body = simple();
            body.set("placement", JSON.createObjectNode());
            assertOnly(admin(body), "/placement/host", ErrorCodes.REQUIRED);
        }

        @Test
        void shouldRejectBadPlacementHostId() {
            ObjectNode body = simple();
            body.set("placement", JSON.createObjectNode().put("host", "qemu 1"));
            assertOnly(admin(body), "/placement/host", ErrorCodes.INVALID_FORMAT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"vnc", "spice", "none"})
        void shouldAcceptEveryGraphicsTypeFromAnyone(String type) {
            ObjectNode body = simple();
            body.set("graphics", JSON.createObjectNode().put("type", type));
            assertThat(user(body).spec().graphics().type().wire()).isEqualTo(type);
        }
    }

    @Nested
    class Types {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "memory | \"4096\"", "memory | 4096.0", "memory | 4096.5", "vcpus | true", "name | 12",
                "storage | \"default\"", "pci_devices | {}", "graphics | \"vnc\"", "memory | null"})
        void shouldRejectWrongTypeAtRoot(String field, String value) {
            ObjectNode body = simple();
            body.set(field, JSON.readTree(value));
            assertOnly(user(body), "/" + field, ErrorCodes.INVALID_TYPE);
        }

        @Test
        void shouldRejectStringSizeWithItsPointer() {
            ObjectNode body = simple();
            disk0(body).put("size", "20");
            assertOnly(user(body), "/storage/disks/0/size", ErrorCodes.INVALID_TYPE);
        }

        @Test
        void shouldRejectDisksThatIsNotAnArray() {
            ObjectNode body = simple();
            body.withObject("/storage").set("disks", JSON.createObjectNode());
            assertOnly(user(body), "/storage/disks", ErrorCodes.INVALID_TYPE);
        }

        @Test
        void shouldRejectDiskThatIsNotAnObject() {
            ObjectNode body = simple();
            body.withObject("/storage").set("disks", JSON.readTree("[20]"));
            assertOnly(user(body), "/storage/disks/0", ErrorCodes.INVALID_TYPE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "\"vm\"", "42", "null"})
        void shouldRejectBodyThatIsNotAnObject(String json) {
            assertOnly(user(JSON.readTree(json)), "", ErrorCodes.INVALID_TYPE);
        }
    }

    @Test
    void shouldCollectEveryErrorOfABody() {
        // Given a body with many problems in different places
        var body = body("""
                {"name": "-bad", "memory": "lots", "vcpus": 0, "extra": 1,
                 "storage": {"default_pool": "/pool", "disks": [
                    {"action": "create"}, {"action": "attach", "size": 5}, {"action": "create", "size": 70000}]},
                 "pci_devices": [{}], "graphics": {"type": "rdp", "port": 5901}, "placement": {"host": "x"}}""");
        // When a non-admin sends it
        List<FieldError> errors = user(body).errors();
        // Then every problem is reported with its pointer
        assertThat(errors).extracting(FieldError::pointer).containsExactlyInAnyOrder(
                "/extra", "/name", "/memory", "/vcpus", "/storage/default_pool", "/storage/disks/0/size",
                "/storage/disks/1/volume", "/storage/disks/1/size", "/storage/disks/2/size", "/pci_devices/0",
                "/graphics/type", "/graphics/port", "/placement");
    }

    @Test
    void shouldCapTheNumberOfReportedErrors() {
        ObjectNode body = simple();
        ArrayNode junk = body.putArray("pci_devices");
        for (int i = 0; i < 500; i++) {
            junk.add(1);
        }
        assertThat(user(body).errors()).hasSize(CreateRequestValidator.MAX_ERRORS);
    }

    @Nested
    class MalformedJson {

        @ParameterizedTest
        @ValueSource(strings = {"{\"name\": \"vm\", \"memory\": 4096", "{\"name\": }", "not json", "{} {}",
                "{\"name\": \"a\", \"name\": \"b\"}", "{\"name\": \"vm\",}"})
        void shouldRejectMalformedJson(String text) {
            assertThatThrownBy(() -> RequestBodies.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.problem().status()).isEqualTo(400);
                        assertThat(e.problem().code()).isEqualTo("MALFORMED_JSON");
                    });
        }

        @Test
        void shouldRejectEmptyBody() {
            assertThatThrownBy(() -> RequestBodies.parse(new byte[0]))
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("MALFORMED_JSON"));
        }

        @Test
        void shouldParseAWellFormedBody() {
            assertThat(RequestBodies.parse(Examples.SIMPLE.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .get("name").stringValue()).isEqualTo("test-vm");
        }
    }
}
