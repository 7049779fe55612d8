package io.vmplane.gateway.console;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Relays WebSocket frames between the browser's session (the gateway is its server) and a console proxy's (the
 * gateway is its client), opaquely: binary and text frames both ways, the proxy's pings to the browser and the
 * browser's pongs back (so a proxy's keep-alive reaches the browser through any load balancer in front of the
 * gateway). Each direction is demand-driven: Reactor Netty reads from one side only as fast as the other side's
 * writes complete. A close on either side closes the other with the same code and reason; a connection lost without
 * a close frame closes the other side with 1001 (toward the proxy) or 1011 {@code CONSOLE_UNAVAILABLE} (toward
 * the browser), since 1005/1006 may not be sent.
 */
final class FrameRelay {

    static final CloseStatus CLIENT_GONE = CloseStatus.GOING_AWAY.withReason("client gone");
    static final CloseStatus UPSTREAM_LOST = CloseStatus.SERVER_ERROR.withReason("CONSOLE_UNAVAILABLE");

    private FrameRelay() {
    }

    /** Completes when both directions have ended and both sessions are closed. */
    static Mono<Void> relay(WebSocketSession client, WebSocketSession upstream) {
        Mono<Void> toUpstream = upstream.send(frames(client, WebSocketMessage.Type.PONG))
                .onErrorResume(e -> Mono.empty());
        Mono<Void> toClient = client.send(frames(upstream, WebSocketMessage.Type.PING))
                .onErrorResume(e -> Mono.empty());
        Mono<Void> clientCloses = client.closeStatus().defaultIfEmpty(CloseStatus.NO_CLOSE_FRAME)
                .flatMap(status -> upstream.close(sendable(status, CLIENT_GONE)))
                .onErrorResume(e -> Mono.empty());
        Mono<Void> upstreamCloses = upstream.closeStatus().defaultIfEmpty(CloseStatus.NO_CLOSE_FRAME)
                .flatMap(status -> client.close(sendable(status, UPSTREAM_LOST)))
                .onErrorResume(e -> Mono.empty());
        return Mono.when(toUpstream, toClient, clientCloses, upstreamCloses);
    }

    /** The data frames of a session plus its control frames of the one relayed type, retained for the other side. */
    private static Flux<WebSocketMessage> frames(WebSocketSession from, WebSocketMessage.Type control) {
        return from.receive()
                .filter(m -> m.getType() == WebSocketMessage.Type.BINARY || m.getType() == WebSocketMessage.Type.TEXT
                        || m.getType() == control)
                .map(WebSocketMessage::retain)
                .doOnDiscard(WebSocketMessage.class, WebSocketMessage::release);
    }

    /**
     * The status to send on: the one received, except the codes that must not appear in a close frame (1005 no
     * status: sent as 1000; 1006 and 1015, a lost connection: {@code lost}).
     */
    static CloseStatus sendable(CloseStatus received, CloseStatus lost) {
        int code = received.getCode();
        if (code == CloseStatus.NO_STATUS_CODE.getCode()) {
            return CloseStatus.NORMAL;
        }
        if (code == CloseStatus.NO_CLOSE_FRAME.getCode() || code == CloseStatus.TLS_HANDSHAKE_FAILURE.getCode()
                || code < 1000 || code > 4999) {
            return lost;
        }
        return received;
    }
}
