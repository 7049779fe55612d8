package io.vmplane.console.relay;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vmplane.console.vnc.VncUpstreamAuth;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * Relays one WebSocket (binary frames) and one TCP connection to a VNC/SPICE server, demand-driven both ways: frames
 * are read from the browser only as fast as the upstream takes bytes, and bytes from the upstream only as fast as the
 * browser takes frames. Bytes the browser sends before the upstream is connected stay in the WebSocket's receive
 * buffer (reading is paused) and go out once it is. Pings go to the browser every {@code pingInterval}; a relay with
 * no data either way for {@code idleTimeout} closes. The first side to end (or {@code closeSignal}) ends both: the
 * upstream connection is closed and the browser gets a close frame with a {@link CloseReason}.
 */
public final class Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** What the relay reports as it runs (session counters, metrics). */
    public interface Listener {

        void fromClient(int bytes);

        void toClient(int bytes);

        /** Epoch millis of the last data frame either way. */
        long lastActivityMillis();

        void upstreamOpened();

        void upstreamClosed();
    }

    /**
     * @param upstream      connects to the VM (and authenticates, for VNC with a password)
     * @param fromClient    filters browser → VM bytes
     * @param fromUpstream  filters VM → browser bytes
     * @param replies       bytes the proxy itself sends to the browser (before any upstream byte, in order)
     * @param closeSignal   emits when the session is ended from outside (revoked, taken over, shutdown)
     * @param pingInterval  the ping period
     * @param idleTimeout   the inactivity limit
     */
    public record Channel(Mono<? extends Connection> upstream, StreamFilter fromClient, StreamFilter fromUpstream,
                          Flux<ByteBuf> replies, Mono<CloseReason> closeSignal, Duration pingInterval,
                          Duration idleTimeout, Listener listener) {
    }

    private Relay() {
    }

    /**
     * Records the first reason and sends its close frame at once: the frame must go out before the relay cancels its
     * read of the WebSocket, or Reactor Netty closes it without a status (1005).
     */
    private static void closeFirst(WebSocketSession ws, AtomicReference<CloseReason> reason, CloseReason why) {
        if (reason.compareAndSet(null, why)) {
            ws.close(new CloseStatus(why.status(), why.code())).subscribe(null, error -> { });
        }
    }

    /** Runs the relay until either side ends; emits why once both are closed. Never errors. */
    public static Mono<CloseReason> run(WebSocketSession ws, Channel channel) {
        AtomicReference<CloseReason> reason = new AtomicReference<>();
        AtomicReference<Connection> upstreamRef = new AtomicReference<>();
        NettyDataBufferFactory factory = (NettyDataBufferFactory) ws.bufferFactory();
        Mono<Void> relay = channel.upstream()
                .doOnNext(c -> {
                    upstreamRef.set(c);
                    channel.listener().upstreamOpened();
                    c.onDispose(() -> channel.listener().upstreamClosed());
                })
                .onErrorMap(e -> !(e instanceof RelayClosedException), e -> new RelayClosedException(
                        e instanceof VncUpstreamAuth.VncAuthException ? CloseReason.VNC_AUTH_FAILED
                                : CloseReason.UPSTREAM_UNREACHABLE, e.getMessage()))
                .flatMap(upstream -> {
                    Sinks.Empty<Void> upstreamEnded = Sinks.empty();
                    Flux<ByteBuf> toUpstream = ws.receive()
                            .<ByteBuf>handle((message, sink) -> {
                                // a refusal ends this direction like a client close, with its own reason
                                if (message.getType() == WebSocketMessage.Type.BINARY) {
                                    message.retain();
                                    ByteBuf bytes = NettyDataBufferFactory.toByteBuf(message.getPayload());
                                    channel.listener().fromClient(bytes.readableBytes());
                                    try {
                                        ByteBuf out = channel.fromClient().apply(bytes);
                                        if (out != null) {
                                            sink.next(out);
                                        }
                                    } catch (RelayClosedException e) {
                                        closeFirst(ws, reason, e.reason());
                                        sink.complete();
                                    }
                                } else if (message.getType() == WebSocketMessage.Type.TEXT) {
                                    closeFirst(ws, reason, CloseReason.NOT_BINARY);
                                    sink.complete();
                                }
                            })
                            .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)
                            .doFinally(s -> channel.fromClient().release());
                    Mono<Void> clientToUpstream = upstream.outbound().send(toUpstream).then()
                            .then(Mono.fromRunnable(() -> reason.compareAndSet(null, CloseReason.CLIENT_CLOSED)));

                    Flux<WebSocketMessage> upstreamFrames = upstream.inbound().receive().retain()
                            .<ByteBuf>handle((bytes, sink) -> {
                                channel.listener().toClient(bytes.readableBytes());
                                ByteBuf out = channel.fromUpstream().apply(bytes);
                                if (out != null) {
                                    sink.next(out);
                                }
                            })
                            .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)
                            .doFinally(s -> channel.fromUpstream().release())
                            .map(bytes -> new WebSocketMessage(WebSocketMessage.Type.BINARY, factory.wrap(bytes)))
                            .doOnComplete(() -> {
                                closeFirst(ws, reason, CloseReason.UPSTREAM_CLOSED);
                                upstreamEnded.tryEmitEmpty();
                            });
                    long idleMillis = channel.idleTimeout().toMillis();
                    Flux<WebSocketMessage> pings = Flux.interval(channel.pingInterval())
                            .onBackpressureDrop()
                            .handle((tick, sink) -> {
                                if (System.currentTimeMillis() - channel.listener().lastActivityMillis()
                                        >= idleMillis) {
                                    closeFirst(ws, reason, CloseReason.IDLE_TIMEOUT);
                                    sink.error(new RelayClosedException(CloseReason.IDLE_TIMEOUT, "idle"));
                                } else {
                                    sink.next(ws.pingMessage(f -> f.allocateBuffer(0)));
                                }
                            });
                    Flux<WebSocketMessage> side = Flux.merge(
                                    channel.replies().map(b -> new WebSocketMessage(WebSocketMessage.Type.BINARY,
                                            factory.wrap(b))),
                                    pings)
                            .takeUntilOther(upstreamEnded.asMono());
                    Mono<Void> upstreamToClient = ws.send(Flux.merge(upstreamFrames, side));
                    Mono<Void> outside = channel.closeSignal().doOnNext(r -> closeFirst(ws, reason, r)).then();
                    return Mono.firstWithSignal(clientToUpstream, upstreamToClient, outside);
                });
        return relay
                .onErrorResume(e -> {
                    CloseReason why = e instanceof RelayClosedException closed ? closed.reason()
                            : CloseReason.RELAY_ERROR;
                    reason.compareAndSet(null, why);
                    if (why == CloseReason.RELAY_ERROR) {
                        LOG.warn("console relay failed: {}", e.toString());
                    } else {
                        LOG.debug("console relay ended: {} ({})", why.code(), e.getMessage());
                    }
                    return Mono.empty();
                })
                .then(Mono.defer(() -> {
                    Connection upstream = upstreamRef.get();
                    if (upstream != null) {
                        upstream.dispose();
                    }
                    CloseReason why = reason.get() == null ? CloseReason.UPSTREAM_CLOSED : reason.get();
                    Mono<Void> close = why == CloseReason.CLIENT_CLOSED ? ws.close()
                            : ws.close(new CloseStatus(why.status(), why.code()));
                    return close.onErrorResume(e -> Mono.empty()).thenReturn(why);
                }))
                .doFinally(s -> {
                    Connection upstream = upstreamRef.get();
                    if (upstream != null) {
                        upstream.dispose();
                    }
                });
    }
}
