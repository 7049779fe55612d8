package io.vmplane.console;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vmplane.store.StateStores;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.testsupport.SharedInfra;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Console proxies started as Spring contexts on random ports over the shared Redis, grants issued through the real
 * store, an in-test echo upstream that counts its open connections, and a raw handshake client.
 */
final class ProxyFixture implements AutoCloseable {

    static final String ORIGIN = "http://localhost:8080";
    private static final SecureRandom RANDOM = new SecureRandom();

    final StateStores stores = StateStores.connect(SharedInfra.redis().uri());
    final AtomicInteger upstreamOpen = new AtomicInteger();
    final AtomicInteger upstreamAccepted = new AtomicInteger();
    final DisposableServer echo = TcpServer.create().host("127.0.0.1").port(0)
            .doOnConnection(c -> {
                upstreamOpen.incrementAndGet();
                upstreamAccepted.incrementAndGet();
                c.onDispose(upstreamOpen::decrementAndGet);
            })
            .handle((in, out) -> out.send(in.receive().retain()))
            .bindNow();
    private final List<ConfigurableApplicationContext> proxies = new ArrayList<>();

    /**
     * The number of open upstream connections once it stopped changing (unchanged for half a second, 10 s at most):
     * the upstreams of an earlier test's sessions may still be closing when the next test counts from it.
     */
    int settledUpstreams() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        int last = upstreamOpen.get();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            int now = upstreamOpen.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500)) {
                return now;
            }
        }
        return last;
    }

    /** Starts a proxy with the given extra properties; returns its port. */
    int startProxy(String instanceId, String... properties) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--vmplane.redis.uri=" + SharedInfra.redis().uri(),
                "--vmplane.console.instance-id=" + instanceId,
                "--vmplane.console.heartbeat-interval=1s",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ConsoleProxyApplication.class)
                .run(args.toArray(String[]::new));
        proxies.add(context);
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String newVmId() {
        return "vm-" + UUID.randomUUID();
    }

    /** Issues a grant for the echo upstream (or the given address) and returns its token. */
    String issue(String vmId, String protocol, String address, int port, String password, Duration ttl) {
        return issue(vmId, "alice", protocol, address, port, password, ttl);
    }

    String issue(String vmId, String user, String protocol, String address, int port, String password,
                 Duration ttl) {
        String token = newToken();
        Instant now = Instant.now();
        stores.consoles().issue(token, new ConsoleGrant(vmId, user, "p1", protocol, "h1", address, port, password,
                now, now.plus(ttl))).block(Duration.ofSeconds(5));
        return token;
    }

    String issueEcho(String vmId) {
        return issue(vmId, "vnc", "127.0.0.1", echo.port(), null, Duration.ofSeconds(60));
    }

    static URI wsUri(int port, String vmId, String token) {
        return URI.create("ws://127.0.0.1:" + port + "/api/v1/virtualization/virtualmachines/" + vmId
                + "/console/ws" + (token == null ? "" : "?token=" + token));
    }

    /** A handshake that may be refused: the HTTP status and body (101 and "" when upgraded, then closed). */
    record Answer(int status, String body) {
    }

    static Mono<Answer> handshake(URI uri, String origin) {
        HttpClient client = HttpClient.create().headers(h -> {
            if (origin != null) {
                h.set(HttpHeaderNames.ORIGIN, origin);
            }
        });
        return client.websocket().uri(uri).handle((in, out) -> out.sendClose(1000, "done"))
                .then(Mono.just(new Answer(101, "")))
                .onErrorResume(io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException.class,
                        e -> Mono.just(new Answer(e.response().status().code(), "")));
    }

    /** The refusal's status and JSON body, by a plain GET with the upgrade headers. */
    static Answer refusal(URI uri, String origin) {
        return HttpClient.create().headers(h -> {
                    h.set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade")
                            .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                            .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
                    if (origin != null) {
                        h.set(HttpHeaderNames.ORIGIN, origin);
                    }
                })
                .get().uri(URI.create(uri.toString().replace("ws://", "http://")))
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text)))
                .block(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        proxies.forEach(ConfigurableApplicationContext::close);
        echo.disposeNow();
        stores.close();
    }
}
