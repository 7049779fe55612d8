package io.vmplane.console.relay;

import java.time.Duration;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.vmplane.console.vnc.VncUpstreamAuth;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * Opens the TCP connection to a VM's VNC/SPICE port: a new connection each time (never pooled: a console socket is
 * a session), and for VNC with a password, the proxy's RFB authentication before the relay starts. The connection
 * runs on the browser's WebSocket event loop when one is given: both sides of a relay on one thread, so a frame
 * crosses no thread (no task queue, no wake-up) on its way through.
 */
public final class UpstreamConnector {

    private final Duration connectTimeout;

    public UpstreamConnector(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Connects to {@code address:port} on Reactor Netty's TCP event loops. */
    public Mono<Connection> connect(String address, int port, String vncPassword) {
        return connect(address, port, vncPassword, null);
    }

    /**
     * Connects to {@code address:port} on {@code loop} (Reactor Netty's TCP event loops when null); completes when
     * the connection is ready to relay.
     */
    public Mono<Connection> connect(String address, int port, String vncPassword, EventLoop loop) {
        TcpClient base = TcpClient.newConnection().host(address).port(port)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        TcpClient client = loop == null ? base : base.runOn(loop);
        if (vncPassword == null || vncPassword.isEmpty()) {
            return client.connect().map(c -> (Connection) c);
        }
        return Mono.defer(() -> {
            VncUpstreamAuth auth = new VncUpstreamAuth(vncPassword);
            // first in the pipeline from the channel's start: the server greets as soon as it accepts
            return client.doOnChannelInit((observer, channel, remote) ->
                            channel.pipeline().addFirst("vmplane.vnc-auth", auth)).connect()
                    .flatMap(c -> Mono.fromFuture(auth.done()).thenReturn((Connection) c)
                            .timeout(connectTimeout)
                            .doOnError(e -> c.dispose()));
        });
    }
}
