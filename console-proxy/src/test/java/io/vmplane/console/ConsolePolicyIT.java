package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/** Two instances with the busy policy {@code takeover} and a 2 s idle timeout, over the shared Redis. */
class ConsolePolicyIT {

    private static ProxyFixture fixture;
    private static int proxyC;
    private static int proxyD;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture();
        String[] policy = {"--vmplane.console.busy-policy=takeover", "--vmplane.console.idle-timeout=2s",
            "--vmplane.console.ping-interval=500ms"};
        proxyC = fixture.startProxy("it-c", policy);
        proxyD = fixture.startProxy("it-d", policy);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldTakeOverTheOlderSessionHeldByAnotherInstance() throws Exception {
        // Given a session of the VM on proxy C
        String vm = ProxyFixture.newVmId();
        try (WsClient older = WsClient.open(ProxyFixture.wsUri(proxyC, vm, fixture.issueEcho(vm)),
                ProxyFixture.ORIGIN, "binary")) {
            older.send(new byte[] {1});
            older.read(1);
            // When a new session of the same VM opens on proxy D
            try (WsClient newer = WsClient.open(ProxyFixture.wsUri(proxyD, vm, fixture.issueEcho(vm)),
                    ProxyFixture.ORIGIN, "binary")) {
                newer.send(new byte[] {2});
                // Then the new one relays and the older is closed as taken over (at C's next heartbeat)
                assertThat(newer.read(1)).containsExactly(2);
                WebSocketCloseStatus status = older.closed.get(5, TimeUnit.SECONDS);
                assertThat(status.code()).isEqualTo(1008);
                assertThat(status.reasonText()).isEqualTo("SESSION_TAKEN_OVER");
                assertThat(fixture.stores.consoles().sessions(vm).block(Duration.ofSeconds(2))).hasSize(1);
            }
        }
    }

    @Test
    void shouldTakeOverAnOlderSessionOnTheSameInstanceAtOnce() throws Exception {
        String vm = ProxyFixture.newVmId();
        try (WsClient older = WsClient.open(ProxyFixture.wsUri(proxyC, vm, fixture.issueEcho(vm)),
                ProxyFixture.ORIGIN, "binary");
             WsClient newer = WsClient.open(ProxyFixture.wsUri(proxyC, vm, fixture.issueEcho(vm)),
                     ProxyFixture.ORIGIN, "binary")) {
            WebSocketCloseStatus status = older.closed.get(5, TimeUnit.SECONDS);
            assertThat(status.reasonText()).isEqualTo("SESSION_TAKEN_OVER");
            newer.send(new byte[] {3});
            assertThat(newer.read(1)).containsExactly(3);
        }
    }

    @Test
    void shouldCloseASessionIdleForTheIdleTimeoutAlthoughPingsFlow() throws Exception {
        // Given a session that relays once, then stays silent while pings flow every 500 ms
        String vm = ProxyFixture.newVmId();
        int before = fixture.settledUpstreams();
        try (WsClient client = WsClient.open(ProxyFixture.wsUri(proxyD, vm, fixture.issueEcho(vm)),
                ProxyFixture.ORIGIN, "binary")) {
            client.send(new byte[] {4});
            client.read(1);
            // When the idle timeout (2 s) passes
            WebSocketCloseStatus status = client.closed.get(6, TimeUnit.SECONDS);
            // Then it is closed as idle and its upstream freed
            assertThat(status.code()).isEqualTo(1000);
            assertThat(status.reasonText()).isEqualTo("IDLE_TIMEOUT");
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.upstreamOpen.get() == before);
        }
    }
}
