package io.vmplane.bench;

import java.util.Map;
import java.util.UUID;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The framework's ceiling for the api benchmark: the gateway's two measured calls without validation, state store or
 * Kafka. {@code POST /create} reads the JSON body and answers 202 with an id; {@code GET /vm/{id}} answers a small VM.
 */
@SpringBootApplication
public class WebFluxAnchorApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebFluxAnchorApplication.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/create", request -> request.bodyToMono(Map.class)
                        .flatMap(body -> ServerResponse.status(HttpStatus.ACCEPTED)
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("id", "vm-" + UUID.randomUUID(), "status", "pending",
                                        "name", String.valueOf(body.get("name"))))))
                .GET("/vm/{id}", request -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("id", request.pathVariable("id"), "status", "pending", "memory", 128,
                                "vcpus", 1, "project", "bench")))
                .build();
    }
}
