package io.vmplane.gateway.console;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.ConnectionProvider;

/**
 * The console WebSocket on the gateway ({@code …/{id}/console/ws?token=…}, exactly as the seed writes it). The
 * gateway does not read the token: it opens the same path and query on the VM's console proxy (chosen by a stable
 * hash of the VM id, so all sockets of a session reach the instance holding it; one refusing the TCP connection is
 * skipped for the next) with the browser's {@code Origin}, its address in {@code X-Forwarded-For} and its
 * offered subprotocols, and only once the proxy has accepted the upgrade does it upgrade the browser, with the
 * subprotocol the proxy chose, and relay frames ({@link FrameRelay}). A proxy's refusal (a status instead of 101) is
 * answered to the browser as it is: status, content type and body. Since the browser is upgraded only after the
 * proxy, nothing it sends can arrive before the upstream is ready. The URL's query is never logged.
 */
@RestController
public class ConsoleWebSocketForwarder {

    private static final Logger log = LoggerFactory.getLogger(ConsoleWebSocketForwarder.class);

    /** Console frames (framebuffer updates) can be large; Netty's default of 64 KiB is too small. */
    static final int MAX_FRAME_PAYLOAD = 1024 * 1024;

    private final ProxyTier proxies;
    private final HttpClient httpClient;
    private final WebSocketService service;
    private final ConsoleGatewayProperties properties;

    public ConsoleWebSocketForwarder(ConsoleGatewayProperties properties) {
        this.properties = properties;
        this.proxies = new ProxyTier(properties.consoleProxies());
        // One connection per console: WebSocket connections are never reused.
        this.httpClient = HttpClient.create(ConnectionProvider.newConnection())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) properties.consoleProxyConnectTimeout().toMillis());
        this.service = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(MAX_FRAME_PAYLOAD)));
    }

    @GetMapping("/virtualization/virtualmachines/{id}/console/ws")
    public Mono<Void> forward(ServerWebExchange exchange, @PathVariable String id) {
        ServerHttpRequest request = exchange.getRequest();
        if (!"websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())
                || request.getHeaders().getFirst("Sec-WebSocket-Key") == null) {
            ServerHttpResponse response = exchange.getResponse();
            response.getHeaders().set(HttpHeaders.UPGRADE, "websocket");
            return writeJson(response, 426, "UPGRADE_REQUIRED",
                    "This is a WebSocket endpoint: send a WebSocket upgrade request");
        }
        String raw = request.getURI().getRawPath();
        String query = request.getURI().getRawQuery();
        String pathAndQuery = raw + (query == null ? "" : "?" + query);
        return attempt(exchange, id, proxies.order(id), 0, pathAndQuery);
    }

    private Mono<Void> attempt(ServerWebExchange exchange, String vmId, List<URI> order, int index,
                               String pathAndQuery) {
        if (index >= order.size()) {
            log.warn("Console of {}: no console proxy could be reached ({} tried)", vmId, order.size());
            exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
            return writeJson(exchange.getResponse(), 503, "CONSOLE_UNAVAILABLE",
                    "No console proxy can be reached; retry later");
        }
        URI proxy = order.get(index);
        return forwardTo(exchange, vmId, proxy, pathAndQuery)
                .onErrorResume(ConsoleWebSocketForwarder::isConnectFailure, e -> {
                    log.info("Console of {}: proxy {} refused the connection ({}), trying the next", vmId, proxy,
                            e.getClass().getSimpleName());
                    return attempt(exchange, vmId, order, index + 1, pathAndQuery);
                });
    }

    private Mono<Void> forwardTo(ServerWebExchange exchange, String vmId, URI proxy, String pathAndQuery) {
        ServerHttpRequest request = exchange.getRequest();
        URI target = URI.create(("https".equals(proxy.getScheme()) ? "wss" : "ws") + "://" + proxy.getRawAuthority()
                + pathAndQuery);
        HttpHeaders headers = new HttpHeaders();
        String origin = request.getHeaders().getOrigin();
        if (origin != null) {
            headers.setOrigin(origin);
        }
        headers.set("X-Forwarded-For", forwardedFor(request));
        List<String> offered = request.getHeaders().get("Sec-WebSocket-Protocol") == null ? List.of()
                : request.getHeaders().get("Sec-WebSocket-Protocol").stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(String::trim).filter(p -> !p.isEmpty()).toList();

        UpgradeRefusal.Capture capture = new UpgradeRefusal.Capture(origin != null);
        ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient(
                httpClient.doOnChannelInit((observer, channel, address) -> {
                    // before the upgrade request is written, just ahead of Reactor Netty's bridge
                    if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
                        channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, "console-upgrade", capture);
                    }
                    else {
                        channel.pipeline().addLast("console-upgrade", capture);
                    }
                }),
                () -> WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME_PAYLOAD).handlePing(true));
        AtomicBoolean upgraded = new AtomicBoolean();
        Sinks.Empty<Void> relayDone = Sinks.empty();

        WebSocketHandler upstreamHandler = new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return offered;
            }

            @Override
            public Mono<Void> handle(WebSocketSession upstream) {
                upgraded.set(true);
                String chosen = upstream.getHandshakeInfo().getSubProtocol();
                WebSocketHandler clientHandler = new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return chosen == null ? List.of() : List.of(chosen);
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession browser) {
                        return FrameRelay.relay(browser, upstream)
                                .doFinally(signal -> relayDone.tryEmitEmpty());
                    }
                };
                log.info("Console of {} relayed through proxy {}", vmId, proxy);
                return service.handleRequest(exchange, clientHandler)
                        .then(relayDone.asMono());
            }
        };

        return client.execute(target, headers, upstreamHandler)
                .timeout(Mono.delay(properties.consoleProxyHandshakeTimeout())
                        .filter(tick -> !upgraded.get())
                        .switchIfEmpty(Mono.never()))
                .onErrorResume(e -> !isConnectFailure(e), e -> {
                    if (upgraded.get()) {
                        log.info("Console of {} ended with {}", vmId, e.getClass().getSimpleName());
                        return Mono.empty();
                    }
                    UpgradeRefusal refusal = capture.refusal();
                    if (refusal != null && hasCause(e, WebSocketClientHandshakeException.class)) {
                        log.info("Console of {}: proxy {} refused the upgrade with {}", vmId, proxy,
                                refusal.status());
                        return writeRefusal(exchange.getResponse(), refusal);
                    }
                    log.warn("Console of {}: proxy {} failed before the upgrade ({})", vmId, proxy,
                            e.getClass().getSimpleName());
                    exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
                    return writeJson(exchange.getResponse(), 503, "CONSOLE_UNAVAILABLE",
                            "The console proxy did not answer the upgrade; retry later");
                });
    }

    /** The client's address appended to any {@code X-Forwarded-For} it came with. */
    static String forwardedFor(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        String address = remote == null ? "unknown"
                : remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
        String earlier = request.getHeaders().getFirst("X-Forwarded-For");
        return earlier == null || earlier.isBlank() ? address : earlier + ", " + address;
    }

    private static Mono<Void> writeRefusal(ServerHttpResponse response, UpgradeRefusal refusal) {
        response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
        if (refusal.contentType() != null) {
            response.getHeaders().set(HttpHeaders.CONTENT_TYPE, refusal.contentType());
        }
        if (refusal.retryAfter() != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, refusal.retryAfter());
        }
        DataBuffer body = response.bufferFactory().wrap(refusal.body());
        return response.writeWith(Mono.just(body));
    }

    /** A {@code ConsoleError} body, as the proxies write theirs. */
    private static Mono<Void> writeJson(ServerHttpResponse response, int status, String code, String message) {
        response.setStatusCode(HttpStatusCode.valueOf(status));
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        String json = "{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}";
        return response.writeWith(Mono.just(response.bufferFactory()
                .wrap(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    /** The TCP connection was never made: nothing reached the proxy, the next one may be tried. */
    static boolean isConnectFailure(Throwable e) {
        return hasCause(e, ConnectException.class);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
