package io.vmplane.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vmplane.gateway.vm.CreateRequestRules;
import io.vmplane.gateway.vm.CreateRequestValidator;
import io.vmplane.gateway.vm.Examples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The OpenAPI document in {@code schemas}: a valid OpenAPI 3.0 document whose rules are the validator's. */
class OpenApiDocumentTest {

    private static final String CREATE = "/virtualization/virtualmachines/create-enhanced";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String yaml;
    private static JsonNode document;
    private static SchemaRegistry registry;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader()
                .getResourceAsStream(OpenApiController.LOCATION)) {
            assertThat(in).as("openapi/openapi.yaml on the class path (from the schemas jar)").isNotNull();
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        document = YAMLMapper.builder().build().readTree(yaml);
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    }

    /** An OpenAPI 3.0 schema object checked as JSON Schema draft 4, its references resolved in the document. */
    private static Schema schema(String name) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$ref", "#/components/schemas/" + name);
        root.set("components", document.get("components"));
        return registry.getSchema(root);
    }

    @Test
    void shouldParseAsOpenApi30WithoutMessages() {
        // When swagger-parser reads the document
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml);
        // Then it is OpenAPI 3.0.x and nothing is reported
        assertThat(result.getMessages()).isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.0.");
        assertThat(api.getServers()).singleElement().satisfies(s -> assertThat(s.getUrl()).isEqualTo("/api/v1"));
        assertThat(api.getComponents().getSecuritySchemes().get("bearerAuth").getBearerFormat()).isEqualTo("JWT");
        assertThat(api.getComponents().getSchemas()).containsKeys("VMCreateRequestEnhancedV2", "StorageConfig",
                "DiskCreateConfigV2", "PCIDeviceConfig", "EnhancedGraphicsConfig", "Placement", "VM", "VMAccepted",
                "Operation", "Host", "HostList", "Problem", "ConsoleInfo", "ConsoleError", "ConsoleConfig",
                "ConsoleStats", "ConsoleConnection");
        assertThat(api.getPaths()).containsKeys(CREATE, "/virtualization/virtualmachines",
                "/virtualization/virtualmachines/{id}", "/virtualization/virtualmachines/{id}/start",
                "/virtualization/virtualmachines/{id}/stop", "/virtualization/virtualmachines/{id}/reboot",
                "/operations/{id}", "/operations/{id}/wait", "/virtualization/hosts",
                "/virtualization/virtualmachines/{id}/console", "/virtualization/virtualmachines/{id}/console/ws",
                "/virtualization/virtualmachines/{id}/console/stats", "/virtualization/console/config",
                "/openapi.yaml", "/openapi.json");
    }

    @Test
    void shouldCarryTheThreeSeedExamplesVerbatim() {
        Map<String, Example> examples = new OpenAPIV3Parser().readContents(yaml).getOpenAPI().getPaths().get(CREATE)
                .getPost().getRequestBody().getContent().get("application/json").getExamples();
        assertThat(examples).hasSize(3);
        assertThat(List.of(Examples.SIMPLE, Examples.GPU, Examples.MULTI_DISK)).map(JSON::readTree)
                .containsExactlyInAnyOrderElementsOf(examples.keySet().stream().map(OpenApiDocumentTest::example)
                        .toList());
    }

    private static JsonNode example(String name) {
        return document.at("/paths/" + CREATE.replace("/", "~1") + "/post/requestBody/content/application~1json"
                + "/examples/" + name + "/value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple-vm", "gpu-vm", "multi-disk-vm"})
    void shouldHaveExamplesValidAgainstTheSchemaAndTheValidator(String name) {
        // Given a named example of the create request
        JsonNode example = example(name);
        assertThat(example.isObject()).isTrue();
        // When it is checked against the request schema and the gateway's validator
        // Then both accept it
        assertThat(schema("VMCreateRequestEnhancedV2").validate(example)).isEmpty();
        assertThat(CreateRequestValidator.validate(example, false).errors()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"storage_pool", "iso_path", "disks", "colour"})
    void shouldHaveASchemaThatRefusesRemovedAndUnknownRootFields(String field) {
        ObjectNode body = (ObjectNode) JSON.readTree(Examples.SIMPLE);
        body.put(field, "x");
        assertThat(schema("VMCreateRequestEnhancedV2").validate(body)).isNotEmpty();
    }

    @Test
    void shouldHaveAPciSchemaThatRefusesBothFormsAndNeither() {
        Schema pci = schema("PCIDeviceConfig");
        assertThat(pci.validate(JSON.readTree("{\"address\": \"0000:3b:00.0\"}"))).isEmpty();
        assertThat(pci.validate(JSON.readTree("{\"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}"))).isEmpty();
        assertThat(pci.validate(JSON.readTree(
                "{\"address\": \"0000:3b:00.0\", \"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}"))).isNotEmpty();
        assertThat(pci.validate(JSON.readTree("{}"))).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"action\": \"create\"}",
            "{\"action\": \"create\", \"size\": 10, \"volume\": \"existing.qcow2\"}",
            "{\"action\": \"attach\"}",
            "{\"action\": \"attach\", \"volume\": \"existing.qcow2\", \"size\": 10}",
            "{\"size\": 10}",
            "{\"action\": \"create\", \"size\": 10, \"colour\": \"red\"}"})
    void shouldHaveADiskSchemaThatRefusesWhatTheValidatorRefuses(String disk) {
        // Given a disk the gateway refuses
        JsonNode node = JSON.readTree(disk);
        ObjectNode body = (ObjectNode) JSON.readTree(Examples.SIMPLE);
        ((ObjectNode) body.get("storage")).set("disks", JSON.createArrayNode().add(node));
        assertThat(CreateRequestValidator.validate(body, false).errors()).isNotEmpty();
        // When the disk schema judges it
        // Then it refuses it too
        assertThat(schema("DiskCreateConfigV2").validate(node)).isNotEmpty();
    }

    @Test
    void shouldHaveADiskSchemaThatAcceptsCreateAndAttachWithTheirOptionalFields() {
        Schema disk = schema("DiskCreateConfigV2");
        assertThat(disk.validate(JSON.readTree("{\"action\": \"create\", \"size\": 10}"))).isEmpty();
        assertThat(disk.validate(JSON.readTree("{\"action\": \"create\", \"size\": 10, \"pool\": \"fast\","
                + " \"format\": \"raw\", \"bus\": \"sata\"}"))).isEmpty();
        assertThat(disk.validate(JSON.readTree("{\"action\": \"attach\", \"volume\": \"existing.qcow2\"}")))
                .isEmpty();
        assertThat(disk.validate(JSON.readTree("{\"action\": \"attach\", \"volume\": \"existing.qcow2\","
                + " \"pool\": \"bulk\", \"format\": \"qcow2\", \"bus\": \"scsi\"}"))).isEmpty();
    }

    @Test
    void shouldHaveAStorageSchemaThatAllowsNoDisksOnlyWithABootIso() {
        Schema storage = schema("StorageConfig");
        assertThat(storage.validate(JSON.readTree("{\"default_pool\": \"default\", \"disks\": []}"))).isNotEmpty();
        assertThat(storage.validate(JSON.readTree(
                "{\"default_pool\": \"default\", \"boot_iso\": \"ubuntu.iso\", \"disks\": []}"))).isEmpty();
        assertThat(storage.validate(JSON.readTree(
                "{\"default_pool\": \"default\", \"disks\": [{\"action\": \"create\", \"size\": 10}]}")))
                .isEmpty();
    }

    @Test
    void shouldStateTheValidatorsPatterns() {
        JsonNode schemas = document.get("components").get("schemas");
        assertPattern(schemas, "/VMCreateRequestEnhancedV2/properties/name", CreateRequestRules.NAME);
        assertPattern(schemas, "/StorageConfig/properties/default_pool", CreateRequestRules.POOL);
        assertPattern(schemas, "/StorageConfig/properties/boot_iso", CreateRequestRules.VOLUME);
        assertPattern(schemas, "/DiskCreateConfigV2/oneOf/0/properties/pool", CreateRequestRules.POOL);
        assertPattern(schemas, "/DiskCreateConfigV2/oneOf/1/properties/pool", CreateRequestRules.POOL);
        assertPattern(schemas, "/DiskCreateConfigV2/oneOf/1/properties/volume", CreateRequestRules.VOLUME);
        assertPattern(schemas, "/PCIDeviceConfig/oneOf/0/properties/address", CreateRequestRules.PCI_ADDRESS);
        assertPattern(schemas, "/PCIDeviceConfig/oneOf/1/properties/vendor_id", CreateRequestRules.PCI_ID);
        assertPattern(schemas, "/PCIDeviceConfig/oneOf/1/properties/product_id", CreateRequestRules.PCI_ID);
        assertPattern(schemas, "/Placement/properties/host", CreateRequestRules.HOST_ID);
    }

    @Test
    void shouldStateTheValidatorsRanges() {
        JsonNode schemas = document.get("components").get("schemas");
        assertRange(schemas, "/VMCreateRequestEnhancedV2/properties/memory", CreateRequestRules.MEMORY_MIN,
                CreateRequestRules.MEMORY_MAX);
        assertRange(schemas, "/VMCreateRequestEnhancedV2/properties/vcpus", CreateRequestRules.VCPUS_MIN,
                CreateRequestRules.VCPUS_MAX);
        assertRange(schemas, "/DiskCreateConfigV2/oneOf/0/properties/size", CreateRequestRules.DISK_SIZE_MIN,
                CreateRequestRules.DISK_SIZE_MAX);
        assertRange(schemas, "/EnhancedGraphicsConfig/properties/port", CreateRequestRules.GRAPHICS_PORT_MIN,
                CreateRequestRules.GRAPHICS_PORT_MAX);
        assertThat(schemas.at("/StorageConfig/properties/disks/maxItems").asInt())
                .isEqualTo(CreateRequestRules.MAX_DISKS);
        assertThat(schemas.at("/VMCreateRequestEnhancedV2/properties/pci_devices/maxItems").asInt())
                .isEqualTo(CreateRequestRules.MAX_PCI_DEVICES);
    }

    private static void assertPattern(JsonNode schemas, String pointer, Pattern pattern) {
        assertThat(schemas.at(pointer + "/pattern").stringValue()).as(pointer).isEqualTo(pattern.pattern());
    }

    private static void assertRange(JsonNode schemas, String pointer, long min, long max) {
        assertThat(schemas.at(pointer + "/minimum").asLong()).as(pointer + " minimum").isEqualTo(min);
        assertThat(schemas.at(pointer + "/maximum").asLong()).as(pointer + " maximum").isEqualTo(max);
    }
}
