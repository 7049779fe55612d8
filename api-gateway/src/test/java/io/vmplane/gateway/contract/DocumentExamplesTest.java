package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every example in the OpenAPI document, judged against its own schema: request-body examples as requests,
 * response examples as responses (by swagger-request-validator), and schema or parameter {@code example}s against
 * the schema they sit in (as JSON Schema draft 4, like OpenAPI 3.0).
 */
class DocumentExamplesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

    private final OpenApiContract contract = OpenApiContract.get();
    private final JsonNode document = YAMLMapper.builder().build().readTree(contract.yaml());

    /** An example found in the document: where it is, and what judged it. */
    private record Verdict(String where, List<String> errors) {
    }

    @Test
    void shouldHaveEveryExampleOfTheDocumentValidAgainstItsSchema() {
        // Given every example the document holds
        List<Verdict> verdicts = new ArrayList<>();
        document.get("paths").properties().forEach(path -> METHODS.forEach(method -> {
            JsonNode operation = path.getValue().get(method);
            if (operation != null) {
                judgeOperation(path.getKey(), method, operation, verdicts);
            }
        }));
        judgeSchemaExamples(document.path("components"), "/components", verdicts);
        judgeSchemaExamples(document.path("paths"), "/paths", verdicts);
        // Then the seed's three create examples are among them, and none is refused
        System.out.println("[contract] examples in the document: " + verdicts.stream().map(Verdict::where).toList());
        assertThat(verdicts).extracting(Verdict::where).contains(
                "POST /virtualization/virtualmachines/create-enhanced request example simple-vm",
                "POST /virtualization/virtualmachines/create-enhanced request example gpu-vm",
                "POST /virtualization/virtualmachines/create-enhanced request example multi-disk-vm");
        assertThat(verdicts).allSatisfy(v -> assertThat(v.errors()).as(v.where()).isEmpty());
    }

    private void judgeOperation(String path, String method, JsonNode operation, List<Verdict> verdicts) {
        String where = method.toUpperCase() + " " + path;
        JsonNode content = operation.path("requestBody").path("content");
        content.properties().forEach(media -> examples(media.getValue()).forEach((name, value) -> {
            var request = new SimpleRequest.Builder(method, OpenApiContract.BASE_PATH + concrete(path))
                    .withContentType(media.getKey()).withHeader("Authorization", "Bearer example.token.only")
                    .withBody(JSON.writeValueAsString(value)).build();
            verdicts.add(new Verdict(where + " request example " + name, messages(contract.requestErrors(request))));
        }));
        operation.path("responses").properties().forEach(response -> response.getValue().path("content")
                .properties().forEach(media -> examples(media.getValue()).forEach((name, value) -> {
                    var built = SimpleResponse.Builder.status(Integer.parseInt(response.getKey()))
                            .withContentType(media.getKey()).withBody(JSON.writeValueAsString(value)).build();
                    verdicts.add(new Verdict(where + " response " + response.getKey() + " example " + name,
                            messages(contract.responseErrors(OpenApiContract.BASE_PATH + concrete(path),
                                    Request.Method.valueOf(method.toUpperCase()), built))));
                })));
    }

    /** The named examples of a media type ({@code examples} and the single {@code example}). */
    private static Map<String, JsonNode> examples(JsonNode media) {
        var found = new java.util.LinkedHashMap<String, JsonNode>();
        media.path("examples").properties().forEach(e -> found.put(e.getKey(), e.getValue().get("value")));
        if (media.has("example")) {
            found.put("example", media.get("example"));
        }
        return found;
    }

    /** A path with a well-formed id in place of each template. */
    private static String concrete(String path) {
        return path.replace("{id}", path.startsWith("/operations")
                ? "op-00000000-0000-4000-8000-000000000000" : "vm-00000000-0000-4000-8000-000000000000");
    }

    /** Every {@code example} member of a schema or parameter object below {@code node}, against that object. */
    private void judgeSchemaExamples(JsonNode node, String pointer, List<Verdict> verdicts) {
        if (node.isObject()) {
            if (node.has("example") && (node.has("type") || node.has("$ref") || node.has("schema"))) {
                JsonNode schema = node.has("schema") ? node.get("schema") : node;
                ObjectNode root = JSON.createObjectNode();
                root.setAll((ObjectNode) schema.deepCopy());
                root.remove("example");
                root.set("components", document.get("components"));
                var errors = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(root)
                        .validate(node.get("example")).stream().map(Object::toString).toList();
                verdicts.add(new Verdict("example at " + pointer, errors));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                var member = it.next();
                if (!member.getKey().equals("example") && !member.getKey().equals("examples")) {
                    judgeSchemaExamples(member.getValue(), pointer + "/" + member.getKey(), verdicts);
                }
            }
        }
        else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                judgeSchemaExamples(node.get(i), pointer + "/" + i, verdicts);
            }
        }
    }

    private static List<String> messages(List<ValidationReport.Message> messages) {
        return messages.stream().map(m -> m.getKey() + ": " + m.getMessage()).toList();
    }
}
