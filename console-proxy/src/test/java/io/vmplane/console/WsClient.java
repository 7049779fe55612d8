package io.vmplane.console;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** A test WebSocket client: binary frames out from a sink, in to a queue; the close status the server sent. */
final class WsClient implements AutoCloseable {

    final Sinks.Many<byte[]> outbound = Sinks.many().unicast().onBackpressureBuffer();
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final CompletableFuture<WebSocketCloseStatus> closed = new CompletableFuture<>();
    final CompletableFuture<String> protocol = new CompletableFuture<>();
    final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    private final Disposable connection;

    private WsClient(URI uri, String origin, String subprotocol) {
        WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder();
        if (subprotocol != null) {
            spec.protocols(subprotocol);
        }
        connection = HttpClient.create().headers(h -> {
                    if (origin != null) {
                        h.set(HttpHeaderNames.ORIGIN, origin);
                    }
                })
                .websocket(spec.build()).uri(uri).handle((in, out) -> {
                    protocol.complete(in.selectedSubprotocol() == null ? "" : in.selectedSubprotocol());
                    in.receiveCloseStatus().subscribe(closed::complete);
                    Mono<Void> reading = in.aggregateFrames().receiveFrames()
                            .doOnNext(frame -> {
                                if (frame instanceof BinaryWebSocketFrame) {
                                    received.add(ByteBufUtil.getBytes(frame.content()));
                                }
                            }).then().cache();
                    Mono<Void> writing = out.sendObject(outbound.asFlux()
                            .map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b)))).then()
                            .then(out.sendClose(1000, "bye"));
                    return Mono.firstWithSignal(reading, writing.then(reading));
                })
                .doOnError(failed::complete)
                .subscribe();
    }

    static WsClient open(URI uri, String origin, String subprotocol) {
        WsClient client = connect(uri, origin, subprotocol);
        Object first = CompletableFuture.anyOf(client.protocol, client.failed).orTimeout(10, TimeUnit.SECONDS).join();
        if (first instanceof Throwable error) {
            throw new AssertionError("the WebSocket did not open: " + error, error);
        }
        return client;
    }

    /** Starts the handshake without waiting: {@link #protocol} completes once upgraded, {@link #failed} if not. */
    static WsClient connect(URI uri, String origin, String subprotocol) {
        return new WsClient(uri, origin, subprotocol);
    }

    void send(byte[] bytes) {
        outbound.tryEmitNext(bytes);
    }

    /** Reads exactly {@code n} bytes of the byte stream (frames joined) within 10 s. */
    byte[] read(int n) throws InterruptedException {
        byte[] out = new byte[n];
        int filled = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (filled < n) {
            if (leftover.length == 0) {
                byte[] frame = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("received " + filled + " of " + n + " bytes within 10 s"
                            + (closed.isDone() ? "; closed with " + closed.join() : ""));
                }
                leftover = frame;
            }
            int take = Math.min(n - filled, leftover.length);
            System.arraycopy(leftover, 0, out, filled, take);
            leftover = java.util.Arrays.copyOfRange(leftover, take, leftover.length);
            filled += take;
        }
        return out;
    }

    private byte[] leftover = new byte[0];

    /** Sends a close frame (the client ends the session). */
    void closeFromClient() {
        outbound.tryEmitComplete();
    }

    boolean isClosed() {
        return closed.isDone() || connection.isDisposed();
    }

    @Override
    public void close() {
        closeFromClient();
        connection.dispose();
    }
}
