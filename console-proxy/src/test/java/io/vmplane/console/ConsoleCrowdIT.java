package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;

/**
 * A crowd of sessions on one VM, over two instances and one Redis, with the per-VM limit raised to 300. Admission
 * counts the VM's sessions in the store (one atomic count that also takes the new session's place) instead of
 * reading them all, so it answers as at the first session and the limit holds exactly across instances, whatever the
 * crowd; no timing is asserted.
 */
class ConsoleCrowdIT {

    private static final int LIMIT = 300;
    private static final int WAVE = 30;
    private static final Duration STORE_READ = Duration.ofSeconds(5);

    private static ProxyFixture fixture;
    private static int proxyE;
    private static int proxyF;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture();
        String[] limits = {"--vmplane.console.max-sessions-per-vm=" + LIMIT,
            "--vmplane.console.max-sessions-per-user=1000", "--vmplane.console.max-sessions-per-instance=1000"};
        proxyE = fixture.startProxy("it-e", limits);
        proxyF = fixture.startProxy("it-f", limits);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldAdmitExactlyTheVmsLimitAcrossTwoInstancesRefuseTheRestAndFreeAPlaceAtOnce() throws Exception {
        // Given one VM, its limit of 300 sessions
        String vm = ProxyFixture.newVmId();
        int acceptedBefore = fixture.upstreamAccepted.get();
        List<WsClient> admitted = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        try {
            // When 330 sessions open in waves of 30 at once, alternating the two proxies
            for (int wave = 0; wave < (LIMIT + WAVE) / WAVE; wave++) {
                List<WsClient> clients = IntStream.range(0, WAVE)
                        .mapToObj(i -> WsClient.connect(ProxyFixture.wsUri(i % 2 == 0 ? proxyE : proxyF, vm,
                                fixture.issueEcho(vm)), ProxyFixture.ORIGIN, "binary"))
                        .toList();
                for (WsClient client : clients) {
                    Object first = CompletableFuture.anyOf(client.protocol, client.failed).get(10, TimeUnit.SECONDS);
                    if (first instanceof WebSocketClientHandshakeException refusal) {
                        refused.add(refusal.response().status().code());
                    }
                    else {
                        assertThat(first).isNotInstanceOf(Throwable.class);
                        admitted.add(client);
                    }
                }
            }

            // Then exactly the limit opened, each over its own upstream, and every other one was refused as busy
            assertThat(admitted).hasSize(LIMIT);
            assertThat(refused).hasSize(WAVE).containsOnly(409);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fixture.upstreamAccepted.get() - acceptedBefore == LIMIT);
            assertThat(fixture.stores.consoles().sessions(vm).block(STORE_READ)).hasSize(LIMIT);
            assertThat(ProxyFixture.refusal(ProxyFixture.wsUri(proxyF, vm, fixture.issueEcho(vm)),
                    ProxyFixture.ORIGIN).body()).contains("\"code\":\"CONSOLE_BUSY\"");

            // And once one session ends, the next takes its place and relays
            admitted.remove(0).closeFromClient();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> fixture.stores.consoles().sessions(vm).block(STORE_READ).size() == LIMIT - 1);
            WsClient next = WsClient.open(ProxyFixture.wsUri(proxyE, vm, fixture.issueEcho(vm)), ProxyFixture.ORIGIN,
                    "binary");
            admitted.add(next);
            next.send(new byte[] {7});
            assertThat(next.read(1)).containsExactly(7);
            assertThat(fixture.stores.consoles().totalSessions(vm).block(STORE_READ)).isEqualTo(LIMIT + 1);
        }
        finally {
            admitted.forEach(WsClient::closeFromClient);
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> fixture.stores.consoles().sessions(vm).block(STORE_READ).isEmpty());
        admitted.forEach(WsClient::close);
    }
}
