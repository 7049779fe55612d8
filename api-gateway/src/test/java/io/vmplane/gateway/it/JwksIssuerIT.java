package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.vmplane.gateway.GatewayApplication;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway configured with an identity provider's JWK set and issuer instead of the local secret file. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JwksIssuerIT {

    private static final String ISSUER = "https://idp.example.test/realms/vmplane";
    private static final String LIST = "/api/v1/virtualization/virtualmachines";
    private static final RSAKey KEY = rsaKey("idp-key-1");
    private static final RSAKey OTHER_KEY = rsaKey("idp-key-1");
    private static final HttpServer IDP = jwksServer(new JWKSet(KEY.toPublicJWK()));

    @LocalServerPort
    int port;

    private WebTestClient client;
    private final String project = "p-" + UUID.randomUUID();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwks-uri",
                () -> "http://127.0.0.1:" + IDP.getAddress().getPort() + "/realms/vmplane/certs");
        registry.add("vmplane.gateway.issuer", () -> ISSUER);
    }

    @AfterAll
    static void stopIdp() {
        IDP.stop(0);
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(15)).build();
    }

    @Test
    void shouldAcceptAnRs256TokenOfTheConfiguredIssuerSignedByAKeyOfTheJwkSet() {
        // Given a token of the configured issuer, signed by the identity provider's key
        String token = sign(KEY, ISSUER, "alice", project);
        // When it lists the project's VMs
        var response = client.get().uri(LIST).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
        // Then the caller is authenticated
        response.expectStatus().isOk();
    }

    @Test
    void shouldRefuseATokenOfAnotherIssuerWithAnInvalidTokenProblem() {
        // Given a token signed by the right key but issued by someone else
        String token = sign(KEY, "https://elsewhere.example.test", "alice", project);
        // When it is used / Then it is refused as an invalid token
        assertInvalidToken(token);
    }

    @Test
    void shouldRefuseATokenSignedByAKeyOutsideTheJwkSetWithAnInvalidTokenProblem() {
        // Given a token of the configured issuer with the same key id, signed by another key
        String token = sign(OTHER_KEY, ISSUER, "alice", project);
        // When it is used / Then it is refused as an invalid token
        assertInvalidToken(token);
    }

    private void assertInvalidToken(String token) {
        byte[] body = client.get().uri(LIST).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        JsonNode problem = JsonMapper.builder().build().readTree(body);
        assertThat(problem.get("status").asInt()).isEqualTo(401);
        assertThat(problem.get("code").stringValue()).isEqualTo("INVALID_TOKEN");
    }

    private static String sign(RSAKey key, String issuer, String user, String project) {
        var claims = new JWTClaimsSet.Builder().issuer(issuer).subject(user).claim("project", project)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(5)))).build();
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static RSAKey rsaKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWK set served on 127.0.0.1 at any path, as an identity provider's certs endpoint serves it. */
    private static HttpServer jwksServer(JWKSet keys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] json = keys.toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, json.length);
                exchange.getResponseBody().write(json);
                exchange.close();
            });
            server.start();
            return server;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
