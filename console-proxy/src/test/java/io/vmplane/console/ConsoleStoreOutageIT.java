package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.vmplane.store.StateStores;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.testsupport.LocalRedis;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/** A proxy over a Redis of its own that goes away: new sessions refused, open ones go on. */
class ConsoleStoreOutageIT {

    @Test
    void shouldRefuseNewSessionsAsUnavailableWhileRedisIsDownAndKeepOpenOnes() throws Exception {
        DisposableServer echo = TcpServer.create().host("127.0.0.1").port(0)
                .handle((in, out) -> out.send(in.receive().retain())).bindNow();
        LocalRedis redis = LocalRedis.start();
        var context = new org.springframework.boot.builder.SpringApplicationBuilder(ConsoleProxyApplication.class)
                .run("--server.port=0", "--vmplane.redis.uri=" + redis.uri(), "--vmplane.console.instance-id=it-out",
                        "--vmplane.console.store-timeout=500ms", "--spring.main.banner-mode=off");
        try (StateStores stores = StateStores.connect(redis.uri())) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            // Given an open session and a second valid token
            String vm = ProxyFixture.newVmId();
            String first = ProxyFixture.newToken();
            String second = ProxyFixture.newToken();
            Instant now = Instant.now();
            for (String token : new String[] {first, second}) {
                stores.consoles().issue(token, new ConsoleGrant(vm, "bob", "p", "vnc", "h", "127.0.0.1",
                        echo.port(), null, now, now.plusSeconds(60))).block(Duration.ofSeconds(5));
            }
            try (WsClient open = WsClient.open(ProxyFixture.wsUri(port, vm, first), ProxyFixture.ORIGIN, "binary")) {
                open.send(new byte[] {1});
                open.read(1);

                // When Redis goes away
                redis.close();

                // Then a new attempt is refused with CONSOLE_UNAVAILABLE, and the open session still relays
                ProxyFixture.Answer refused = ProxyFixture.refusal(ProxyFixture.wsUri(port, vm, second),
                        ProxyFixture.ORIGIN);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.body()).contains("\"code\":\"CONSOLE_UNAVAILABLE\"");
                open.send(new byte[] {2});
                assertThat(open.read(1)).containsExactly(2);
            }
        } finally {
            context.close();
            redis.close();
            echo.disposeNow();
        }
    }
}
