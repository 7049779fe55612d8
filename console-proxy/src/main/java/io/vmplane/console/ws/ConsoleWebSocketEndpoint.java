package io.vmplane.console.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.vmplane.console.relay.CloseReason;
import io.vmplane.console.relay.Relay;
import io.vmplane.console.relay.StreamFilter;
import io.vmplane.console.relay.UpstreamConnector;
import io.vmplane.console.session.ConsoleMetrics;
import io.vmplane.console.session.GuardedConsoleStore;
import io.vmplane.console.session.LiveSession;
import io.vmplane.console.session.SessionRegistry;
import io.vmplane.console.spice.SpiceLinkGate;
import io.vmplane.console.spice.SpiceMainInitSniffer;
import io.vmplane.console.vnc.VncNoneSecurity;
import io.vmplane.store.console.ConsoleGrant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;

/**
 * {@code GET /api/v1/virtualization/virtualmachines/{id}/console/ws?token=…}: every check happens before the upgrade
 * and a refusal is a JSON {@link ConsoleError} (403 origin, 401 token, 403 other VM's token, 409 busy, 503 store
 * unreachable). The order: Origin (a foreign page cannot even burn a token), then the token: a SPICE channel of a
 * session this instance holds (found by the token's hash), else the grant consumed from the store (GETDEL: exactly
 * once across all instances), then the limits. The token is never logged; only its SHA-256 is kept in memory.
 */
public final class ConsoleWebSocketEndpoint implements WebHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleWebSocketEndpoint.class);
    private static final Pattern PATH = Pattern.compile(
            "^/api/v1/virtualization/virtualmachines/([A-Za-z0-9._-]{1,128})/console/ws/?$");
    private static final int MAX_TOKEN_LENGTH = 512;

    private final WebSocketService webSockets;
    private final OriginPolicy origins;
    private final GuardedConsoleStore store;
    private final SessionRegistry registry;
    private final UpstreamConnector upstreams;
    private final ConsoleMetrics metrics;
    private final AtomicInteger openUpstreams;
    private final RelaySettings settings;
    private final Clock clock;

    /** Ping and idle settings of every relay. */
    public record RelaySettings(java.time.Duration pingInterval, java.time.Duration idleTimeout) {
    }

    public ConsoleWebSocketEndpoint(WebSocketService webSockets, OriginPolicy origins, GuardedConsoleStore store,
                                    SessionRegistry registry, UpstreamConnector upstreams, ConsoleMetrics metrics,
                                    AtomicInteger openUpstreams, RelaySettings settings, Clock clock) {
        this.webSockets = webSockets;
        this.origins = origins;
        this.store = store;
        this.registry = registry;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.openUpstreams = openUpstreams;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        Matcher path = PATH.matcher(request.getPath().pathWithinApplication().value());
        if (!path.matches()) {
            return refuse(exchange, HttpStatus.NOT_FOUND, ConsoleError.TOKEN_INVALID, "no such console");
        }
        String vmId = path.group(1);
        if (!origins.allows(request.getHeaders().getOrigin())) {
            return refuse(exchange, HttpStatus.FORBIDDEN, ConsoleError.ORIGIN_DENIED,
                    "this page's origin may not open consoles");
        }
        if (request.getMethod() != HttpMethod.GET
                || !"websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
            return refuse(exchange, HttpStatus.BAD_REQUEST, "NOT_A_WEBSOCKET",
                    "the console is a WebSocket: send a GET with Upgrade: websocket");
        }
        String token = request.getQueryParams().getFirst("token");
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_LENGTH) {
            return refuse(exchange, HttpStatus.UNAUTHORIZED, ConsoleError.TOKEN_INVALID, "a console token is required");
        }
        String tokenHash = sha256(token);
        LiveSession spice = registry.spiceSessionOfToken(tokenHash).orElse(null);
        if (spice != null) {
            if (!spice.vmId().equals(vmId)) {
                return refuse(exchange, HttpStatus.FORBIDDEN, ConsoleError.TOKEN_INVALID,
                        "the token is for another VM's console");
            }
            return upgrade(exchange, ws -> spiceChannel(ws, spice, eventLoopOf(exchange)));
        }
        return store.consume(token)
                .map(grant -> new Consumed(grant, null))
                .onErrorResume(e -> Mono.just(new Consumed(null, e)))
                .defaultIfEmpty(new Consumed(null, null))
                .flatMap(consumed -> {
                    if (consumed.error() != null) {
                        return unavailable(exchange, consumed.error());
                    }
                    ConsoleGrant grant = consumed.grant();
                    if (grant == null) {
                        return refuse(exchange, HttpStatus.UNAUTHORIZED, ConsoleError.TOKEN_INVALID,
                                "the console token is unknown, used or expired");
                    }
                    if (grant.expiresAt() != null && !grant.expiresAt().isAfter(clock.instant())) {
                        return refuse(exchange, HttpStatus.UNAUTHORIZED, ConsoleError.TOKEN_EXPIRED,
                                "the console token expired");
                    }
                    if (!vmId.equals(grant.vmId())) {
                        return refuse(exchange, HttpStatus.FORBIDDEN, ConsoleError.TOKEN_INVALID,
                                "the token is for another VM's console (it is used up)");
                    }
                    return registry.admit(grant, tokenHash, clientAddress(request))
                            .flatMap(session -> upgrade(exchange, ws -> mainChannel(ws, session, eventLoopOf(exchange)))
                                    .onErrorResume(e -> {
                                        registry.ended(session, CloseReason.RELAY_ERROR);
                                        return Mono.error(e);
                                    }))
                            .onErrorResume(SessionRegistry.AdmissionException.class,
                                    e -> refuse(exchange, HttpStatus.CONFLICT, ConsoleError.CONSOLE_BUSY,
                                            e.getMessage()))
                            .onErrorResume(e -> !exchange.getResponse().isCommitted(),
                                    e -> unavailable(exchange, e));
                });
    }

    private record Consumed(ConsoleGrant grant, Throwable error) {
    }

    private Mono<Void> mainChannel(WebSocketSession ws, LiveSession session, EventLoop loop) {
        metrics.opened();
        session.openChannel();
        ConsoleGrant grant = session.grant();
        Relay.Channel channel;
        if (session.isSpice()) {
            AtomicInteger clientCaps = new AtomicInteger();
            StreamFilter gate = new SpiceLinkGate(link -> {
                clientCaps.set(link.commonCaps());
                return link.isMain() && link.connectionId() == 0;
            });
            StreamFilter sniffer = new SpiceMainInitSniffer(clientCaps::get, session::spiceConnectionId);
            channel = channel(session, upstreams.connect(grant.address(), grant.port(), null, loop), gate, sniffer,
                    Flux.empty());
        } else if (grant.vncPassword() != null && !grant.vncPassword().isEmpty()) {
            Sinks.Many<ByteBuf> replies = Sinks.many().unicast().onBackpressureBuffer();
            StreamFilter none = new VncNoneSecurity(b -> replies.tryEmitNext(b));
            Flux<ByteBuf> greetingThenReplies = Flux.concat(Mono.fromSupplier(VncNoneSecurity::greeting),
                    replies.asFlux());
            channel = channel(session, upstreams.connect(grant.address(), grant.port(), grant.vncPassword(), loop),
                    none, StreamFilter.PASS, greetingThenReplies);
        } else {
            channel = channel(session, upstreams.connect(grant.address(), grant.port(), null, loop),
                    StreamFilter.PASS, StreamFilter.PASS, Flux.empty());
        }
        return Relay.run(ws, channel)
                .doOnNext(reason -> registry.ended(session, reason))
                .doFinally(s -> {
                    session.channelClosed();
                    registry.ended(session, CloseReason.RELAY_ERROR);
                })
                .then();
    }

    private Mono<Void> spiceChannel(WebSocketSession ws, LiveSession session, EventLoop loop) {
        session.openChannel();
        ConsoleGrant grant = session.grant();
        StreamFilter gate = new SpiceLinkGate(link -> session.isOpen() && !link.isMain()
                && session.spiceConnectionId() != 0 && link.connectionId() == session.spiceConnectionId());
        Relay.Channel channel = channel(session, upstreams.connect(grant.address(), grant.port(), null, loop), gate,
                StreamFilter.PASS, Flux.empty());
        return Relay.run(ws, channel).doFinally(s -> session.channelClosed()).then();
    }

    private Relay.Channel channel(LiveSession session, Mono<? extends reactor.netty.Connection> upstream,
                                  StreamFilter fromClient, StreamFilter fromUpstream, Flux<ByteBuf> replies) {
        Relay.Listener listener = new Relay.Listener() {
            @Override
            public void fromClient(int bytes) {
                session.fromClient(bytes, clock.millis());
                metrics.fromClient(bytes);
            }

            @Override
            public void toClient(int bytes) {
                session.toClient(bytes, clock.millis());
                metrics.toClient(bytes);
            }

            @Override
            public long lastActivityMillis() {
                return session.lastActivityMillis();
            }

            @Override
            public void upstreamOpened() {
                openUpstreams.incrementAndGet();
            }

            @Override
            public void upstreamClosed() {
                openUpstreams.decrementAndGet();
            }
        };
        return new Relay.Channel(upstream, fromClient, fromUpstream, replies, session.closed(),
                settings.pingInterval(), settings.idleTimeout(), listener);
    }

    private Mono<Void> upgrade(ServerWebExchange exchange, java.util.function.Function<WebSocketSession,
            Mono<Void>> relay) {
        return webSockets.handleRequest(exchange, new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return List.of("binary");
            }

            @Override
            public Mono<Void> handle(WebSocketSession session) {
                return relay.apply(session);
            }
        });
    }

    /** The event loop of the browser's connection (null when the server is not Reactor Netty). */
    static EventLoop eventLoopOf(ServerWebExchange exchange) {
        if (ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof HttpServerRequest netty) {
            AtomicReference<EventLoop> loop = new AtomicReference<>();
            netty.withConnection(c -> loop.set(c.channel().eventLoop()));
            return loop.get();
        }
        return null;
    }

    private Mono<Void> unavailable(ServerWebExchange exchange, Throwable cause) {
        if (cause instanceof CallNotPermittedException || cause instanceof TimeoutException) {
            LOG.warn("console store unavailable: {}", cause.getClass().getSimpleName());
        } else {
            LOG.warn("console store unavailable: {}", cause.toString());
        }
        return refuse(exchange, HttpStatus.SERVICE_UNAVAILABLE, ConsoleError.CONSOLE_UNAVAILABLE,
                "consoles are unavailable for a moment; try again");
    }

    private Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        metrics.refused(code);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        byte[] body = new ConsoleError(code, message).json().getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    private static String clientAddress(ServerHttpRequest request) {
        String forwarded = request.getHeaders().getFirst("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.split(",")[0].strip();
        }
        return request.getRemoteAddress() == null ? "" : request.getRemoteAddress().getAddress().getHostAddress();
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
