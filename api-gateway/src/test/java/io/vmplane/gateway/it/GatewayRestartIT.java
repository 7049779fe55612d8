package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import io.vmplane.gateway.GatewayApplication;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Idempotency keys live in Redis: a create retried after the gateway restarted converges on the same VM. The
 * first step closes its application context when it ends, so the second step runs on a newly started gateway.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayRestartIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Tokens TOKENS = Tokens.newSecret();
    private static final String TOKEN = TOKENS.user("alice", "p-" + UUID.randomUUID());
    private static final String KEY = "restart-" + UUID.randomUUID();

    /** What the first gateway answered. */
    private static JsonNode firstAnswer;
    private static ApplicationContext firstGateway;

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext gateway;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
    }

    private JsonNode create() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
        byte[] body = client.post().uri("/api/v1/virtualization/virtualmachines/create-enhanced")
                .contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .header("Idempotency-Key", KEY)
                .bodyValue(Examples.SIMPLE)
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.ACCEPTED)
                .expectBody().returnResult().getResponseBody();
        return JSON.readTree(body);
    }

    @Test
    @Order(1)
    @DirtiesContext(methodMode = DirtiesContext.MethodMode.AFTER_METHOD)
    void shouldAcceptACreateWithAKeyBeforeTheGatewayStops() {
        // Given a gateway, When a create with an Idempotency-Key is sent
        firstAnswer = create();
        firstGateway = gateway;

        // Then it is accepted (the gateway stops after this test)
        assertThat(firstAnswer.get("id").stringValue()).startsWith("vm-");
    }

    @Test
    @Order(2)
    void shouldConvergeOnTheSameVmWhenTheCreateIsRetriedOnTheRestartedGateway() {
        // Given a newly started gateway (the first one was stopped)
        assertThat(firstAnswer).as("the first step ran").isNotNull();
        assertThat(gateway).isNotSameAs(firstGateway);

        // When the same create is retried with the same key
        JsonNode retried = create();

        // Then it answers the same VM and operation
        assertThat(retried.get("id").stringValue()).isEqualTo(firstAnswer.get("id").stringValue());
        assertThat(retried.get("operation_id").stringValue()).isEqualTo(firstAnswer.get("operation_id").stringValue());
    }
}
