package io.vmplane.gateway.openapi;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document from the {@code schemas} jar, verbatim as YAML, and converted once to JSON, and the
 * interactive page that loads it ({@code /docs}, its files in {@link ApiDocsConfiguration}). All are read at start;
 * a missing or unreadable document stops the start.
 */
@RestController
public class OpenApiController {

    static final String LOCATION = "openapi/openapi.yaml";
    static final String DOCS_PAGE = "docs/index.html";
    static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private final byte[] yaml;
    private final byte[] json;
    private final byte[] docsPage;

    public OpenApiController() throws IOException {
        try (InputStream in = new ClassPathResource(LOCATION).getInputStream()) {
            this.yaml = in.readAllBytes();
        }
        JsonNode tree = YAMLMapper.builder().build().readTree(yaml);
        this.json = JsonMapper.builder().build().writeValueAsBytes(tree);
        try (InputStream in = new ClassPathResource(DOCS_PAGE).getInputStream()) {
            this.docsPage = in.readAllBytes();
        }
    }

    @GetMapping("/openapi.yaml")
    public ResponseEntity<byte[]> yaml() {
        return ResponseEntity.ok().contentType(YAML).body(yaml);
    }

    @GetMapping("/openapi.json")
    public ResponseEntity<byte[]> json() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
    }

    @GetMapping("/docs")
    public ResponseEntity<byte[]> docs() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(docsPage);
    }
}
