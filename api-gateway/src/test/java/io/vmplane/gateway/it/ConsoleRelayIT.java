package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vmplane.gateway.GatewayApplication;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The console WebSocket through the gateway, against an in-test WebSocket echo server standing in for a console
 * proxy. The first configured instance refuses TCP connections, and every VM id here hashes to it, so every
 * connection also proves that a proxy refusing connections is skipped.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // the token must stay out of the logs even with the root logger at DEBUG
        properties = "logging.level.root=DEBUG")
class ConsoleRelayIT {

    private static final String PATH = "/api/v1/virtualization/virtualmachines/%s/console/ws?token=%s";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Tokens TOKENS = Tokens.newSecret();
    private static final String REFUSAL = "{\"code\":\"TOKEN_INVALID\",\"message\":\"The token opens nothing\"}";

    /** What the stand-in proxy saw of each upgrade it accepted, and each close it received. */
    record Seen(String uri, String origin, String forwardedFor, String protocol) {
    }

    private static final List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final BlockingQueue<WebSocketCloseStatus> closesAtProxy = new LinkedBlockingQueue<>();
    private static final List<String> pongsAtProxy = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static final int DEAD_PORT = freePort();
    private static final DisposableServer proxy = startProxy();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
        registry.add("vmplane.gateway.console-proxies",
                () -> "http://127.0.0.1:" + DEAD_PORT + ",http://127.0.0.1:" + proxy.port());
    }

    /** Attached once the context (which configures logging afresh) has started. */
    @BeforeEach
    void captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("console-relay-it") == null) {
            logs.setName("console-relay-it");
            logs.start();
            root.addAppender(logs);
        }
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        proxy.disposeNow();
    }

    /**
     * The stand-in proxy: refuses token {@code refuse} with 401 and a ConsoleError, else upgrades (choosing
     * {@code binary} when offered), echoes every data frame, on the text {@code close-me} closes with 4001, on
     * {@code ping:X} sends a ping with payload X, and notes the pongs it gets.
     */
    private static DisposableServer startProxy() {
        return HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/api/v1/virtualization/virtualmachines/{id}/console/ws", (req, res) -> {
                    if (req.uri().endsWith("token=refuse")) {
                        return res.status(401).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                .sendString(Mono.just(REFUSAL)).then();
                    }
                    return res.sendWebsocket((in, out) -> {
                        seen.add(new Seen(req.uri(), req.requestHeaders().get(HttpHeaderNames.ORIGIN),
                                req.requestHeaders().get("X-Forwarded-For"), in.selectedSubprotocol()));
                        in.receiveCloseStatus().subscribe(closesAtProxy::add);
                        Flux<WebSocketFrame> echo = in.aggregateFrames(4 * 1024 * 1024).receiveFrames()
                                .concatMap(frame -> {
                                    if (frame instanceof TextWebSocketFrame text && "close-me".equals(text.text())) {
                                        return out.sendClose(4001, "TOKEN_EXPIRED").then(Mono.empty());
                                    }
                                    if (frame instanceof TextWebSocketFrame text && text.text().startsWith("ping:")) {
                                        return Mono.just(new PingWebSocketFrame(Unpooled.copiedBuffer(
                                                text.text().substring(5), StandardCharsets.UTF_8)));
                                    }
                                    if (frame instanceof PongWebSocketFrame pong) {
                                        pongsAtProxy.add(pong.content().toString(StandardCharsets.UTF_8));
                                        return Mono.empty();
                                    }
                                    return Mono.just(frame.retain());
                                });
                        return out.sendObject(echo).then();
                    }, spec(req.requestHeaders().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)));
                }))
                .bindNow();
    }

    /** "binary" when the client offers it; no subprotocol otherwise (Reactor Netty would not run the handler). */
    private static WebsocketServerSpec spec(String offered) {
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder().maxFramePayloadLength(4 * 1024 * 1024);
        return (offered != null && offered.contains("binary") ? spec.protocols("binary") : spec).build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String url(String vmId, String token) {
        return "ws://127.0.0.1:" + port + PATH.formatted(vmId, token);
    }

    /** A WebSocket client sending the given Origin, or none (Netty's handshaker would invent one: removed). */
    private static HttpClient browser(String origin) {
        if (origin != null) {
            return HttpClient.create().headers(h -> h.set(HttpHeaderNames.ORIGIN, origin));
        }
        return HttpClient.create().doOnChannelInit((observer, channel, address) -> channel.pipeline().addBefore(
                reactor.netty.NettyPipeline.ReactiveBridge, "no-origin", new io.netty.channel.ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                                      io.netty.channel.ChannelPromise promise) throws Exception {
                        if (msg instanceof io.netty.handler.codec.http.HttpRequest request) {
                            request.headers().remove(HttpHeaderNames.ORIGIN);
                        }
                        super.write(ctx, msg, promise);
                    }
                }));
    }

    /** A VM id whose own proxy (by the gateway's stable hash, two proxies) is the first: the dead one. */
    private static String vmId() {
        while (true) {
            String id = "vm-" + UUID.randomUUID();
            if (Math.floorMod(id.hashCode(), 2) == 0) {
                return id;
            }
        }
    }

    private static String token() {
        return "tok-" + UUID.randomUUID();
    }

    @Test
    void shouldRelayBinaryFramesBothWaysAndEchoTheChosenSubprotocol() throws Exception {
        // Given three payloads, one larger than Netty's default 64 KiB frame limit
        byte[] small = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
        byte[] large = new byte[300 * 1024];
        new Random(7).nextBytes(large);
        byte[] last = {0, 1, 2, (byte) 255};
        String vmId = vmId();
        String token = token();
        Sinks.One<String> protocol = Sinks.one();

        // When a browser offering "binary" sends them through the gateway
        List<byte[]> echoed = browser("http://localhost:8080")
                .websocket(WebsocketClientSpec.builder().protocols("binary").maxFramePayloadLength(4 * 1024 * 1024)
                        .build())
                .uri(url(vmId, token))
                .handle((in, out) -> {
                    protocol.tryEmitValue(String.valueOf(in.selectedSubprotocol()));
                    Mono<Void> send = out.sendObject(Flux.just(small, large, last)
                            .map(bytes -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)))).then();
                    Flux<byte[]> received = in.aggregateFrames(4 * 1024 * 1024).receive()
                            .map(ByteBufUtil::getBytes).take(3);
                    return send.thenMany(received);
                })
                .collectList()
                .block(TIMEOUT);

        // Then the bytes came back intact, the proxy chose "binary" and the browser was told so
        assertThat(echoed).hasSize(3);
        assertThat(echoed.get(0)).isEqualTo(small);
        assertThat(echoed.get(1)).isEqualTo(large);
        assertThat(echoed.get(2)).isEqualTo(last);
        assertThat(protocol.asMono().block(TIMEOUT)).isEqualTo("binary");
        // and the proxy got the same path and query, the browser's Origin and its address
        Seen upgrade = upgradeOf(token);
        assertThat(upgrade.uri()).isEqualTo(PATH.formatted(vmId, token));
        assertThat(upgrade.origin()).isEqualTo("http://localhost:8080");
        assertThat(upgrade.forwardedFor()).isEqualTo("127.0.0.1");
        assertThat(upgrade.protocol()).isEqualTo("binary");
        // after the VM's own proxy, which refuses connections, was skipped
        assertThat(List.copyOf(logs.list)).anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains(vmId).contains(":" + DEAD_PORT).contains("trying the next"));
        assertNoLogLineHolds(token);
    }

    @Test
    void shouldAcceptAHandshakeWithoutSubprotocolOrOrigin() throws Exception {
        // Given a client offering no subprotocol and sending no Origin
        String token = token();

        // When
        Sinks.One<String> protocol = Sinks.one();
        byte[] echoed = browser(null).websocket()
                .uri(url(vmId(), token))
                .handle((in, out) -> {
                    protocol.tryEmitValue(String.valueOf(in.selectedSubprotocol()));
                    return out.sendObject(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {42}))).then()
                            .thenMany(in.receive().map(ByteBufUtil::getBytes).take(1));
                })
                .blockFirst(TIMEOUT);

        // Then
        assertThat(echoed).containsExactly(42);
        assertThat(protocol.asMono().block(TIMEOUT)).isEqualTo("null");
        Seen upgrade = upgradeOf(token);
        assertThat(upgrade.origin()).as("gateway port %d, proxy port %d", port, proxy.port()).isNull();
        assertThat(upgrade.protocol()).isNull();
        assertNoLogLineHolds(token);
    }

    @Test
    void shouldCarryTheBrowsersCloseCodeToTheProxy() {
        // Given an open console
        closesAtProxy.clear();

        // When the browser closes it with 4000 "bye"
        browser("http://localhost:8080").websocket()
                .uri(url(vmId(), token()))
                .handle((in, out) -> out.sendObject(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1})))
                        .then()
                        .then(out.sendClose(4000, "bye"))
                        .then(in.receiveCloseStatus()))
                .blockLast(TIMEOUT);

        // Then the proxy receives the same close
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(closesAtProxy)
                .anySatisfy(status -> {
                    assertThat(status.code()).isEqualTo(4000);
                    assertThat(status.reasonText()).isEqualTo("bye");
                }));
    }

    @Test
    void shouldCarryTheProxysCloseCodeToTheBrowser() {
        // When the proxy closes the console with 4001 TOKEN_EXPIRED
        WebSocketCloseStatus status = browser("http://localhost:8080").websocket()
                .uri(url(vmId(), token()))
                .handle((in, out) -> out.sendObject(new TextWebSocketFrame("close-me")).then()
                        .then(in.receiveCloseStatus()))
                .blockFirst(TIMEOUT);

        // Then the browser gets it as sent
        assertThat(status.code()).isEqualTo(4001);
        assertThat(status.reasonText()).isEqualTo("TOKEN_EXPIRED");
    }

    @Test
    void shouldCarryTheProxysPingsToTheBrowserAndItsPongsBack() {
        // Given an open console whose browser answers pings (as browsers do)
        String payload = "keepalive-" + UUID.randomUUID();

        // When the proxy pings through the gateway
        browser("http://localhost:8080").websocket()
                .uri(url(vmId(), token()))
                .handle((in, out) -> out.sendObject(new TextWebSocketFrame("ping:" + payload)).then()
                        .then(Mono.fromRunnable(() -> await().atMost(TIMEOUT)
                                .until(() -> pongsAtProxy.contains(payload))).subscribeOn(
                                        reactor.core.scheduler.Schedulers.boundedElastic()))
                        .then(out.sendClose(1000, "done")))
                .blockLast(TIMEOUT);

        // Then the browser's pong reached the proxy: a proxy's keep-alive covers the hop to the browser too
        assertThat(pongsAtProxy).contains(payload);
    }

    @Test
    void shouldAnswerAProxysRefusalWithItsStatusAndBody() {
        // When the proxy refuses the upgrade
        var answer = HttpClient.create()
                .headers(h -> h.set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade")
                        .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                        .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13")
                        .set(HttpHeaderNames.ORIGIN, "http://localhost:8080"))
                .get()
                .uri("http://127.0.0.1:" + port + PATH.formatted(vmId(), "refuse"))
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> List.of(String.valueOf(response.status().code()),
                                String.valueOf(response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE)), text)))
                .block(TIMEOUT);

        // Then the browser gets the same status, content type and body
        assertThat(answer).containsExactly("401", "application/json", REFUSAL);
    }

    @Test
    void shouldAsk426ForAPlainRequestAndOpenNothing() {
        // When
        var answer = HttpClient.create().get()
                .uri("http://127.0.0.1:" + port + PATH.formatted(vmId(), token()))
                .responseSingle((response, body) -> body.asString()
                        .map(text -> response.status().code() + " " + text))
                .block(TIMEOUT);

        // Then
        assertThat(answer).startsWith("426 ").contains("UPGRADE_REQUIRED");
    }

    private static Seen upgradeOf(String token) {
        return await().atMost(TIMEOUT).until(() -> seen.stream().filter(s -> s.uri().endsWith("token=" + token))
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static void assertNoLogLineHolds(String token) {
        // the request log writes its line when the console ends
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(List.copyOf(logs.list))
                .anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("/console/ws ")));
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            assertThat(event.getFormattedMessage()).doesNotContain(token);
            if (event.getThrowableProxy() != null) {
                assertThat(String.valueOf(event.getThrowableProxy().getMessage())).doesNotContain(token);
            }
        }
    }
}
