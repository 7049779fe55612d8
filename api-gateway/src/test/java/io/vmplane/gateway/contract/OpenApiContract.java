package io.vmplane.gateway.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.report.ValidationReport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document from the {@code schemas} jar, as swagger-request-validator reads it: the judge of every
 * request and response the contract tests exchange. Paths are full paths ({@code /api/v1/...}); the document's
 * server URL {@code /api/v1} is their base path.
 */
final class OpenApiContract {

    static final String BASE_PATH = "/api/v1";
    /** Where the {@code schemas} jar carries the document. */
    static final String LOCATION = "openapi/openapi.yaml";

    private static final OpenApiContract INSTANCE = new OpenApiContract(load());

    private final String yaml;
    private final OpenApiInteractionValidator validator;

    private OpenApiContract(String yaml) {
        this.yaml = yaml;
        this.validator = OpenApiInteractionValidator
                .createForInlineApiSpecification(withGlobalSecurityOnEachOperation(yaml))
                .withBasePathOverride(BASE_PATH).build();
    }

    /**
     * The document (as JSON) with its top-level {@code security} copied onto every operation that states none:
     * OpenAPI applies it there, but swagger-request-validator only checks an operation's own {@code security}. An
     * operation's own {@code security: []} (the document endpoints) is left as it is.
     */
    private static String withGlobalSecurityOnEachOperation(String yaml) {
        ObjectNode document = (ObjectNode) YAMLMapper.builder().build().readTree(yaml);
        JsonNode global = document.get("security");
        if (global != null) {
            for (JsonNode path : document.get("paths")) {
                for (String method : List.of("get", "put", "post", "delete", "patch", "head", "options", "trace")) {
                    if (path.get(method) instanceof ObjectNode operation && !operation.has("security")) {
                        operation.set("security", global.deepCopy());
                    }
                }
            }
        }
        return JsonMapper.builder().build().writeValueAsString(document);
    }

    static OpenApiContract get() {
        return INSTANCE;
    }

    String yaml() {
        return yaml;
    }

    /** The request's errors (the validator's ERROR level), security included. */
    List<ValidationReport.Message> requestErrors(Request request) {
        return errors(validator.validateRequest(request));
    }

    /** The response's errors, judged by the operation at {@code path} (a full path) and {@code method}. */
    List<ValidationReport.Message> responseErrors(String path, Request.Method method, Response response) {
        return errors(validator.validateResponse(path, method, response));
    }

    private static List<ValidationReport.Message> errors(ValidationReport report) {
        return report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR).toList();
    }

    static String describe(List<ValidationReport.Message> messages) {
        var text = new StringBuilder();
        for (ValidationReport.Message message : messages) {
            text.append("\n  ").append(message.getKey()).append(": ").append(message.getMessage());
            message.getNestedMessages().forEach(n -> text.append("\n    ").append(n.getKey()).append(": ")
                    .append(n.getMessage()));
        }
        return text.toString();
    }

    private static String load() {
        try (InputStream in = OpenApiContract.class.getClassLoader()
                .getResourceAsStream(LOCATION)) {
            if (in == null) {
                throw new IllegalStateException(LOCATION + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
