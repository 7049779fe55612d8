package io.vmplane.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (CDP) on a Java WebSocket: one page, which
 * can navigate, evaluate JavaScript and capture PNG screenshots. No browser is downloaded; a fresh profile lives in a
 * temporary directory that {@link #close()} removes. The page's console messages are kept for failure messages, with
 * console tokens redacted.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    /** A console token in a URL's query or in a ConsoleInfo's JSON. */
    private static final Pattern TOKEN = Pattern.compile("(token=|\"token\"\\s*:\\s*\")[^&\\s\"']+");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final List<String> console = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket, Listener listener) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        listener.owner = this;
    }

    /** Starts chromium on about:blank and attaches to its page. */
    static HeadlessChromium launch() throws IOException, InterruptedException {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException(EXECUTABLE + " is missing: install Debian's chromium (./dev test does)");
        }
        Path profile = Files.createTempDirectory("vmplane-chromium");
        Process process = new ProcessBuilder(EXECUTABLE.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", "--window-size=1280,900", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            // Chromium writes the port it chose to DevToolsActivePort in the profile.
            Path portFile = profile.resolve("DevToolsActivePort");
            await().atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive()
                    || (Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2));
            if (!process.isAlive()) {
                throw new IllegalStateException("chromium exited with " + process.exitValue() + ": "
                        + Files.readString(profile.resolve("chromium.log")));
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = await().atMost(Duration.ofSeconds(10)).until(() -> pageSocket(http, port),
                    url -> url != null);
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), listener)
                    .get(10, TimeUnit.SECONDS);
            HeadlessChromium chromium = new HeadlessChromium(process, profile, socket, listener);
            chromium.call("Runtime.enable", Api.JSON.createObjectNode());
            chromium.call("Page.enable", Api.JSON.createObjectNode());
            return chromium;
        }
        catch (Exception | Error e) {
            destroy(process, profile);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot drive chromium: " + e, e);
        }
    }

    private static String pageSocket(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : Api.JSON.readTree(list.body())) {
            if (target.path("type").asString().equals("page")) {
                return target.path("webSocketDebuggerUrl").asString();
            }
        }
        return null;
    }

    void navigate(String url) {
        ObjectNode params = Api.JSON.createObjectNode().put("url", url);
        JsonNode result = call("Page.navigate", params);
        if (result.has("errorText")) {
            throw new IllegalStateException("navigation failed: " + result.get("errorText").asString());
        }
    }

    /** The value of a JavaScript expression (awaited if it is a promise), as JSON. */
    JsonNode evaluate(String expression) {
        ObjectNode params = Api.JSON.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the page's area x, y, width, height in CSS pixels, at scale 1. */
    byte[] screenshot(double x, double y, double width, double height) {
        ObjectNode params = Api.JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        params.putObject("clip").put("x", x).put("y", y).put("width", width).put("height", height).put("scale", 1);
        return Base64.getDecoder().decode(call("Page.captureScreenshot", params).get("data").asString());
    }

    /** The page's console messages and uncaught exceptions so far, tokens redacted. */
    List<String> console() {
        return new ArrayList<>(console);
    }

    private JsonNode call(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        ObjectNode message = Api.JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        try {
            socket.sendText(Api.JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
            JsonNode reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + ": " + reply.get("error"));
            }
            return reply.path("result");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(method + ": " + e, e);
        }
        finally {
            calls.remove(id);
        }
    }

    private void received(String text) {
        JsonNode message = Api.JSON.readTree(text);
        if (message.has("id")) {
            CompletableFuture<JsonNode> answer = calls.get(message.get("id").asInt());
            if (answer != null) {
                answer.complete(message);
            }
            return;
        }
        String method = message.path("method").asString();
        JsonNode params = message.path("params");
        if (method.equals("Runtime.consoleAPICalled")) {
            StringBuilder line = new StringBuilder(params.path("type").asString()).append(':');
            params.path("args").forEach(arg -> line.append(' ').append(
                    arg.has("value") ? arg.get("value").asString() : arg.path("description").asString()));
            console.add(redact(line.toString()));
        }
        else if (method.equals("Runtime.exceptionThrown")) {
            console.add(redact("exception: " + params.path("exceptionDetails")));
        }
    }

    static String redact(String text) {
        return TOKEN.matcher(text).replaceAll("$1…");
    }

    @Override
    public void close() {
        socket.abort();
        destroy(process, profile);
    }

    private static void destroy(Process process, Path profile) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }

    /** Reassembles text frames and hands each message to its browser. */
    private static final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();
        private volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (owner != null) {
                    owner.received(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
