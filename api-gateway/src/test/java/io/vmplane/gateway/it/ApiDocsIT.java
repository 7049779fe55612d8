package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.vmplane.gateway.GatewayApplication;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The interactive page of the OpenAPI document, served without a token. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiDocsIT {

    private static final Tokens TOKENS = Tokens.newSecret();

    @LocalServerPort
    int port;

    private WebTestClient client;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .responseTimeout(Duration.ofSeconds(15)).build();
    }

    @Test
    void shouldServeAnHtmlPageThatLoadsTheDocumentWithoutAToken() {
        // When the page is fetched without a token
        byte[] page = client.get().uri("/api/v1/docs").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody().returnResult().getResponseBody();
        // Then it loads Swagger UI and its start script, which points at the document
        assertThat(new String(page, StandardCharsets.UTF_8)).contains("/api/v1/docs/swagger-ui-bundle.js",
                "/api/v1/docs/init.js", "swagger-ui");
        byte[] init = client.get().uri("/api/v1/docs/init.js").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        assertThat(new String(init, StandardCharsets.UTF_8)).contains("SwaggerUIBundle", "/api/v1/openapi.yaml");
    }

    @Test
    void shouldServeSwaggerUisFilesFromItsWebjar() {
        // When the bundle and the style sheet are fetched without a token
        byte[] bundle = client.get().uri("/api/v1/docs/swagger-ui-bundle.js").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        client.get().uri("/api/v1/docs/swagger-ui.css").exchange().expectStatus().isOk();
        // Then they are the webjar's files
        assertThat(bundle).isNotEmpty();
        assertThat(new String(bundle, StandardCharsets.UTF_8)).contains("SwaggerUIBundle");
    }

    @Test
    void shouldStillServeTheDocumentVerbatim() throws Exception {
        byte[] expected = new ClassPathResource("openapi/openapi.yaml").getContentAsByteArray();
        byte[] served = client.get().uri("/api/v1/openapi.yaml").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        assertThat(served).isEqualTo(expected);
    }
}
