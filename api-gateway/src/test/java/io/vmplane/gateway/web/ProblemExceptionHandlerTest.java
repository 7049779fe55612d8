package io.vmplane.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.netty.channel.AbortedException;
import tools.jackson.databind.json.JsonMapper;

class ProblemExceptionHandlerTest {

    private final ProblemExceptionHandler handler = new ProblemExceptionHandler(
            new ProblemWriter(JsonMapper.builder().build()));

    @Test
    void shouldWriteNothingAndRecord499WhenTheClientWentAwayMidRequest() {
        // Given a create whose body was cut short by the client closing the connection
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.post("/api/v1/virtualization/virtualmachines/create-enhanced"));
        Throwable closed = new IllegalStateException("decoding failed",
                new AbortedException("Connection has been closed"));

        // When
        handler.handle(exchange, closed).block(Duration.ofSeconds(5));

        // Then
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(ProblemExceptionHandler.CLIENT_CLOSED_REQUEST);
        assertThat(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5))).isNullOrEmpty();
    }

    @Test
    void shouldAnswerA500ProblemToAnyOtherUnexpectedError() {
        // Given
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get("/api/v1/virtualization/hosts"));

        // When
        handler.handle(exchange, new IllegalStateException("boom")).block(Duration.ofSeconds(5));

        // Then
        assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(500);
        assertThat(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5)))
                .contains("\"code\":\"INTERNAL_ERROR\"").doesNotContain("boom");
    }
}
