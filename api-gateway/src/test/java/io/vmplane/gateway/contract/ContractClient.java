package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP/1.1 client of the running gateway that judges every exchange by the OpenAPI document: the request
 * as sent and the response as received are both given to swagger-request-validator, and the caller states what it
 * expects (a request the document accepts, or one it refuses for a named reason; a response it always describes).
 */
final class ContractClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger EXCHANGES = new AtomicInteger();
    private static final AtomicLong HTTP_NANOS = new AtomicLong();
    private static final AtomicLong VALIDATION_NANOS = new AtomicLong();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String origin;
    private final OpenApiContract contract = OpenApiContract.get();

    ContractClient(int port) {
        this.origin = "http://127.0.0.1:" + port;
    }

    /** How many exchanges every client of this JVM has validated so far. */
    static int validatedExchanges() {
        return EXCHANGES.get();
    }

    /** Time spent so far in HTTP exchanges and in validating them, in milliseconds. */
    static String timings() {
        return "http " + HTTP_NANOS.get() / 1_000_000 + " ms, validation " + VALIDATION_NANOS.get() / 1_000_000
                + " ms";
    }

    /** One request: method, full path (with query), headers and body as bytes. */
    record Call(String method, String path, Map<String, String> headers, byte[] body) {

        static Call get(String path) {
            return new Call("GET", path, new LinkedHashMap<>(), null);
        }

        static Call post(String path, String contentType, byte[] body) {
            var headers = new LinkedHashMap<String, String>();
            headers.put("Content-Type", contentType);
            return new Call("POST", path, headers, body);
        }

        static Call postJson(String path, String json) {
            return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        Call bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        Call header(String name, String value) {
            var more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Call(method, path, more, body);
        }
    }

    /** What came back, with both verdicts of the document. */
    record Exchange(Call call, int status, String contentType, Map<String, List<String>> headers, byte[] body,
                    List<ValidationReport.Message> requestErrors, List<ValidationReport.Message> responseErrors) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String describe() {
            String sent = call.body == null ? "" : new String(call.body, StandardCharsets.UTF_8);
            return call.method + " " + call.path + (sent.isEmpty() ? "" : " " + abbreviate(sent)) + " -> " + status
                    + " " + contentType + " " + abbreviate(text());
        }

        private static String abbreviate(String text) {
            return text.length() <= 400 ? text : text.substring(0, 400) + "…(" + text.length() + " chars)";
        }
    }

    /** Sends the call and validates both sides, asserting nothing. */
    Exchange send(Call call) {
        HttpRequest.BodyPublisher publisher = call.body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(call.body);
        var request = HttpRequest.newBuilder(URI.create(origin + call.path)).timeout(Duration.ofSeconds(15))
                .method(call.method, publisher);
        call.headers.forEach(request::header);
        HttpResponse<byte[]> response;
        long started = System.nanoTime();
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long received = System.nanoTime();
        HTTP_NANOS.addAndGet(received - started);
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        Request validated = validatorRequest(call);
        var validatedResponse = SimpleResponse.Builder.status(response.statusCode()).withBody(response.body());
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                validatedResponse.withHeader(name, values);
            }
        });
        String path = call.path.contains("?") ? call.path.substring(0, call.path.indexOf('?')) : call.path;
        EXCHANGES.incrementAndGet();
        var exchange = new Exchange(call, response.statusCode(), contentType, response.headers().map(),
                response.body(), contract.requestErrors(validated),
                contract.responseErrors(path, validated.getMethod(), validatedResponse.build()));
        VALIDATION_NANOS.addAndGet(System.nanoTime() - received);
        return exchange;
    }

    /** A request the document accepts, answered as the document says. */
    Exchange conforming(Call call) {
        Exchange exchange = send(call);
        assertThat(exchange.requestErrors()).as("the document's verdict on the request of %s%s",
                exchange.describe(), OpenApiContract.describe(exchange.requestErrors())).isEmpty();
        assertThat(exchange.responseErrors()).as("the document's verdict on the response of %s%s",
                exchange.describe(), OpenApiContract.describe(exchange.responseErrors())).isEmpty();
        return exchange;
    }

    /**
     * A request the document refuses too (with a message whose key starts with {@code expectedRequestKey}),
     * answered as the document says.
     */
    Exchange refused(Call call, String expectedRequestKey) {
        Exchange exchange = send(call);
        assertThat(exchange.requestErrors()).as("the document's verdict on the request of %s%s",
                exchange.describe(), OpenApiContract.describe(exchange.requestErrors()))
                .flatExtracting(ContractClient::keysWithNested)
                .anySatisfy(key -> assertThat(key).startsWith(expectedRequestKey));
        assertThat(exchange.responseErrors()).as("the document's verdict on the response of %s%s",
                exchange.describe(), OpenApiContract.describe(exchange.responseErrors())).isEmpty();
        return exchange;
    }

    /** A message's key and its nested messages' keys (a {@code oneOf} refusal names its branches' reasons there). */
    private static List<String> keysWithNested(ValidationReport.Message message) {
        var keys = new ArrayList<String>();
        keys.add(message.getKey());
        message.getNestedMessages().forEach(nested -> keys.addAll(keysWithNested(nested)));
        return keys;
    }

    private static Request validatorRequest(Call call) {
        String path = call.path;
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        var builder = new SimpleRequest.Builder(call.method, path);
        call.headers.forEach(builder::withHeader);
        if (call.body != null) {
            builder.withBody(call.body);
        }
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                builder.withQueryParam(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return builder.build();
    }
}
