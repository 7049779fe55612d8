package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.vmplane.gateway.web.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class RequestBodiesTest {

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    private static Flux<DataBuffer> chunks(String text, int chunkSize) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Flux.range(0, (bytes.length + chunkSize - 1) / chunkSize).map(i -> BUFFERS.wrap(
                java.util.Arrays.copyOfRange(bytes, i * chunkSize, Math.min(bytes.length, (i + 1) * chunkSize))));
    }

    @Test
    void shouldDescribeMalformedJsonWithoutJacksonsOwnVocabulary() {
        // Given bodies Jackson refuses with hints about its own types, features and constraints
        for (String body : List.of("{\"name\": \"a\"}{}", "{\"memory\": NaN}", "{",
                "[".repeat(3000) + "]".repeat(3000), "{\"a\": 1, \"a\": 2}", "{'name': 1}")) {
            // When
            ApiException refused = catchThrowableOfType(ApiException.class,
                    () -> RequestBodies.parse(body.getBytes(StandardCharsets.UTF_8)));

            // Then
            assertThat(refused.problem().code()).as(body).isEqualTo("MALFORMED_JSON");
            assertThat(refused.problem().detail()).as(body).startsWith("The request body is not valid JSON")
                    .doesNotContain("`", "jackson", "Jackson", "Feature", "Constraints", "Source", "REDACTED")
                    .hasSizeLessThan(300);
            long open = refused.problem().detail().chars().filter(c -> c == '(').count();
            assertThat(refused.problem().detail().chars().filter(c -> c == ')').count()).as(body).isEqualTo(open);
        }
    }

    @Test
    void shouldRefuseAChunkedBodyOverTheLimitWith413() {
        // Given a body sent in chunks without a Content-Length, larger than the limit
        var request = MockServerHttpRequest.post("/create")
                .body(chunks("{\"pad\": \"" + "x".repeat(5000) + "\"}", 512));
        // When it is read with a 4 KiB limit
        // Then reading fails with a 413 problem
        StepVerifier.create(RequestBodies.readTree(request, 4096))
                .expectErrorSatisfies(e -> assertThat(((ApiException) e).problem().status()).isEqualTo(413))
                .verify();
    }

    @Test
    void shouldRefuseADeclaredLengthOverTheLimitBeforeReading() {
        var request = MockServerHttpRequest.post("/create").contentLength(100_000).body(Flux.never());
        StepVerifier.create(RequestBodies.readTree(request, 65536))
                .expectErrorSatisfies(e -> assertThat(((ApiException) e).problem().code())
                        .isEqualTo("PAYLOAD_TOO_LARGE"))
                .verify();
    }

    @Test
    void shouldJoinChunksIntoOneTree() {
        var request = MockServerHttpRequest.post("/create").body(chunks(Examples.MULTI_DISK, 7));
        StepVerifier.create(RequestBodies.readTree(request, 65536))
                .assertNext(tree -> assertThat(tree.get("name").stringValue()).isEqualTo("db-vm"))
                .verifyComplete();
    }

    @Test
    void shouldAnswerMalformedJsonForAnEmptyBody() {
        var request = MockServerHttpRequest.post("/create").body(Flux.empty());
        StepVerifier.create(RequestBodies.readTree(request, 65536))
                .expectErrorSatisfies(e -> assertThat(((ApiException) e).problem().code()).isEqualTo("MALFORMED_JSON"))
                .verify();
    }
}
