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
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The browser console's page and the client libraries the build installed from npm, served as static resources
 * without a token (the page drives a real browser in e2e's ConsolePageIT).
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsolePageIT {

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
                .codecs(c -> c.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
                .responseTimeout(Duration.ofSeconds(15)).build();
    }

    @Test
    void shouldServeThePageWithoutATokenUnderAContentSecurityPolicy() {
        // When the page is fetched without a token
        String page = text("/api/v1/console/index.html", MediaType.TEXT_HTML);

        // Then it loads its own module script, from its own origin only, and may not be framed
        assertThat(page).contains("<script type=\"module\" src=\"console.js\">", "Content-Security-Policy",
                "script-src 'self'", "connect-src 'self' ws: wss:");
        client.get().uri("/api/v1/console/index.html").exchange().expectHeader().valueEquals("X-Frame-Options", "DENY");
    }

    @Test
    void shouldServeNoVncAndSpiceHtml5AsInstalledByTheBuild() {
        // When the modules the page imports are fetched without a token
        String rfb = text("/api/v1/console/vendor/novnc/core/rfb.js", null);
        String spice = text("/api/v1/console/vendor/spice-html5/src/main.js", null);
        String pako = text("/api/v1/console/vendor/novnc/vendor/pako/lib/zlib/inflate.js", null);

        // Then they are the libraries' ES modules, with their licences beside them
        assertThat(rfb).contains("export default class RFB");
        assertThat(spice).contains("SpiceMainConn");
        assertThat(pako).isNotEmpty();
        text("/api/v1/console/vendor/novnc/LICENSE.txt", null);
        text("/api/v1/console/vendor/spice-html5/COPYING.LESSER", null);
    }

    @Test
    void shouldSetEveryShownNameAsTextNeverAsHtml() {
        // When the page's script is read
        String script = text("/api/v1/console/console.js", null);

        // Then it writes what it shows with textContent only
        assertThat(script).contains("textContent").doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML",
                "document.write");
    }

    @Test
    void shouldStillRequireATokenElsewhere() {
        client.get().uri("/api/v1/virtualization/virtualmachines").exchange().expectStatus().isUnauthorized();
    }

    private String text(String path, MediaType type) {
        var response = client.get().uri(path).exchange().expectStatus().isOk();
        if (type != null) {
            response.expectHeader().contentTypeCompatibleWith(type);
        }
        byte[] body = response.expectBody().returnResult().getResponseBody();
        assertThat(body).as(path).isNotEmpty();
        return new String(body, StandardCharsets.UTF_8);
    }
}
