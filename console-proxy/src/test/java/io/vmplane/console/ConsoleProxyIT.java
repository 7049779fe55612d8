package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import reactor.core.publisher.Flux;

/**
 * Two console-proxy instances (two Spring contexts) over one real Redis, relaying to an in-test echo server: one-time
 * tokens across instances, the refusals and their codes, pings, close propagation and clean-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConsoleProxyIT {

    private static ProxyFixture fixture;
    private static int proxyA;
    private static int proxyB;

    @BeforeAll
    static void startTwoProxies() {
        fixture = new ProxyFixture();
        proxyA = fixture.startProxy("it-a", "--vmplane.console.ping-interval=1s");
        proxyB = fixture.startProxy("it-b", "--vmplane.console.ping-interval=1s");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldRelayBytesBothWaysEchoingTheBinarySubprotocolAndKeepingEarlyBytes() throws Exception {
        // Given a token for a VM whose console is the echo server
        String vm = ProxyFixture.newVmId();
        String token = fixture.issueEcho(vm);
        // When a client offering "binary" opens the console and sends at once, before anything came back
        try (WsClient client = WsClient.open(ProxyFixture.wsUri(proxyA, vm, token), ProxyFixture.ORIGIN, "binary")) {
            client.send("hello ".getBytes(StandardCharsets.US_ASCII));
            client.send("console".getBytes(StandardCharsets.US_ASCII));
            // Then the subprotocol is echoed and every byte comes back in order
            assertThat(client.protocol.join()).isEqualTo("binary");
            assertThat(new String(client.read(13), StandardCharsets.US_ASCII)).isEqualTo("hello console");
        }
    }

    @Test
    void shouldAcceptAHandshakeWithoutSubprotocol() throws Exception {
        String vm = ProxyFixture.newVmId();
        String token = fixture.issueEcho(vm);
        try (WsClient client = WsClient.open(ProxyFixture.wsUri(proxyB, vm, token), ProxyFixture.ORIGIN, null)) {
            client.send(new byte[] {1, 2, 3});
            assertThat(client.read(3)).containsExactly(1, 2, 3);
            assertThat(client.protocol.join()).isEmpty();
        }
    }

    @Test
    void shouldAcceptAHandshakeWithoutOriginByDefault() throws Exception {
        // Given a token, and a client that sends no Origin header (not a browser)
        String vm = ProxyFixture.newVmId();
        String token = fixture.issueEcho(vm);
        try (Socket socket = new Socket("127.0.0.1", proxyA)) {
            socket.setSoTimeout(10_000);
            // When it sends a bare handshake
            socket.getOutputStream().write(("GET /api/v1/virtualization/virtualmachines/" + vm + "/console/ws?token="
                    + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Then it is upgraded
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 101");
        }
    }

    @Test
    void shouldLetExactlyOneOfAThousandParallelAttemptsUseOneTokenAcrossTwoProxies() {
        // Given one token
        String vm = ProxyFixture.newVmId();
        String token = fixture.issueEcho(vm);
        // When 1,000 handshakes use it at once, half on each proxy
        List<ProxyFixture.Answer> answers = Flux.range(0, 1000)
                .flatMap(i -> ProxyFixture.handshake(ProxyFixture.wsUri(i % 2 == 0 ? proxyA : proxyB, vm, token),
                        ProxyFixture.ORIGIN), 1000)
                .collectList().block(Duration.ofSeconds(120));
        // Then exactly one is upgraded and the 999 others are refused: as invalid tokens, or, when the burst
        // outlasts the store's time limit on a loaded machine, as unavailable (fail closed), never otherwise
        Map<Integer, Long> byStatus = answers.stream()
                .collect(Collectors.groupingBy(ProxyFixture.Answer::status, Collectors.counting()));
        assertThat(byStatus.get(101)).as("%s", byStatus).isEqualTo(1L);
        assertThat(byStatus.keySet()).as("%s", byStatus).isSubsetOf(101, 401, 503);
        assertThat(byStatus.getOrDefault(401, 0L) + byStatus.getOrDefault(503, 0L)).isEqualTo(999L);
        System.out.println("1,000 parallel uses of one token on two proxies: " + byStatus);
    }

    @Test
    void shouldRefuseReplayExpiryOtherVmForeignOriginAndMissingTokenWithTheirCodesAndNeverLogTheToken(
            CapturedOutput output) throws Exception {
        String vm = ProxyFixture.newVmId();
        List<String> tokens = new ArrayList<>();
        // Given a token used once on proxy A
        String used = fixture.issueEcho(vm);
        tokens.add(used);
        try (WsClient client = WsClient.open(ProxyFixture.wsUri(proxyA, vm, used), ProxyFixture.ORIGIN, "binary")) {
            client.send(new byte[] {7});
            assertThat(client.read(1)).containsExactly(7);
        }
        // and a token already expired (stored with a 1 s life, past it), one for another VM, one never issued
        String expired = fixture.issue(vm, "vnc", "127.0.0.1", fixture.echo.port(), null, Duration.ofMillis(1200));
        String otherVms = fixture.issueEcho(ProxyFixture.newVmId());
        String fresh = fixture.issueEcho(vm);
        tokens.addAll(List.of(expired, otherVms, fresh));
        await().pollDelay(Duration.ofMillis(1300)).atMost(Duration.ofSeconds(3)).until(() -> true);
        Function<String, java.net.URI> on = t -> ProxyFixture.wsUri(proxyB, vm, t);

        // When each is tried
        ProxyFixture.Answer replay = ProxyFixture.refusal(on.apply(used), ProxyFixture.ORIGIN);
        ProxyFixture.Answer expiry = ProxyFixture.refusal(on.apply(expired), ProxyFixture.ORIGIN);
        ProxyFixture.Answer otherVm = ProxyFixture.refusal(on.apply(otherVms), ProxyFixture.ORIGIN);
        ProxyFixture.Answer foreign = ProxyFixture.refusal(on.apply(fresh), "http://evil.example");
        ProxyFixture.Answer missing = ProxyFixture.refusal(on.apply(null), ProxyFixture.ORIGIN);
        ProxyFixture.Answer otherVmAgain = ProxyFixture.refusal(
                ProxyFixture.wsUri(proxyA, otherVms.isEmpty() ? vm : vm, otherVms), ProxyFixture.ORIGIN);

        // Then each is refused with its code in a ConsoleError body
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.body()).contains("\"code\":\"TOKEN_INVALID\"");
        assertThat(expiry.status()).isEqualTo(401);
        assertThat(expiry.body()).containsAnyOf("\"code\":\"TOKEN_EXPIRED\"", "\"code\":\"TOKEN_INVALID\"");
        assertThat(otherVm.status()).isEqualTo(403);
        assertThat(otherVm.body()).contains("\"code\":\"TOKEN_INVALID\"");
        assertThat(otherVmAgain.status()).as("a token tried on another VM's path is used up").isEqualTo(401);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body()).contains("\"code\":\"ORIGIN_DENIED\"");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body()).contains("\"code\":\"TOKEN_INVALID\"");
        // and the foreign page did not burn the token: it still opens the console from an allowed origin
        try (WsClient client = WsClient.open(on.apply(fresh), ProxyFixture.ORIGIN, "binary")) {
            client.send(new byte[] {9});
            assertThat(client.read(1)).containsExactly(9);
        }
        // and no log line of either proxy carries a token
        assertThat(output.getAll()).doesNotContain(tokens);
    }

    @Test
    void shouldRefuseASecondSessionOfTheVmAsBusyOnTheOtherProxy() throws Exception {
        String vm = ProxyFixture.newVmId();
        try (WsClient first = WsClient.open(ProxyFixture.wsUri(proxyA, vm, fixture.issueEcho(vm)),
                ProxyFixture.ORIGIN, "binary")) {
            first.send(new byte[] {1});
            first.read(1);
            ProxyFixture.Answer second = ProxyFixture.refusal(ProxyFixture.wsUri(proxyB, vm, fixture.issueEcho(vm)),
                    ProxyFixture.ORIGIN);
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.body()).contains("\"code\":\"CONSOLE_BUSY\"");
        }
    }

    @Test
    void shouldKeepAnIdleSessionOpenThroughThreePingIntervals() throws Exception {
        // Given an open session on a proxy that pings every second
        String vm = ProxyFixture.newVmId();
        try (WsClient client = WsClient.open(ProxyFixture.wsUri(proxyA, vm, fixture.issueEcho(vm)),
                ProxyFixture.ORIGIN, "binary")) {
            // When nothing is sent for more than three ping intervals
            await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5)).until(() -> !client.isClosed());
            // Then the session still relays
            client.send(new byte[] {42});
            assertThat(client.read(1)).containsExactly(42);
        }
    }

    @Test
    void shouldFreeTheUpstreamWithinFiveSecondsOfAClientClose() throws Exception {
        // Given an open session and its upstream connection
        String vm = ProxyFixture.newVmId();
        int before = fixture.settledUpstreams();
        WsClient client = WsClient.open(ProxyFixture.wsUri(proxyB, vm, fixture.issueEcho(vm)), ProxyFixture.ORIGIN,
                "binary");
        client.send(new byte[] {5});
        client.read(1);
        assertThat(fixture.upstreamOpen.get()).isGreaterThan(before);
        // When the client closes
        client.closeFromClient();
        // Then the upstream connection is closed and the session gone from the store
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.upstreamOpen.get() == before);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> fixture.stores.consoles().sessions(vm).block(Duration.ofSeconds(2)).isEmpty());
        client.close();
    }

    @Test
    void shouldLeaveNoSessionAndNoUpstreamOpenAfterAHundredOpenCloseCycles() throws Exception {
        // Given one VM
        String vm = ProxyFixture.newVmId();
        int acceptedBefore = fixture.upstreamAccepted.get();
        // When its console is opened, used and closed 100 times, alternating proxies
        for (int i = 0; i < 100; i++) {
            WsClient client = WsClient.open(ProxyFixture.wsUri(i % 2 == 0 ? proxyA : proxyB, vm,
                    fixture.issueEcho(vm)), ProxyFixture.ORIGIN, "binary");
            client.send(new byte[] {(byte) i});
            assertThat(client.read(1)).containsExactly((byte) i);
            client.closeFromClient();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> fixture.stores.consoles().sessions(vm).block(Duration.ofSeconds(2)).isEmpty());
            client.close();
        }
        // Then every cycle made one upstream connection, none is left open, and the VM has no session
        assertThat(fixture.upstreamAccepted.get() - acceptedBefore).isEqualTo(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.upstreamOpen.get() == 0);
        assertThat(fixture.stores.consoles().sessions(vm).block(Duration.ofSeconds(2))).isEmpty();
        assertThat(fixture.stores.consoles().totalSessions(vm).block(Duration.ofSeconds(2))).isEqualTo(100);
    }

    @Test
    void shouldHoldTwoHundredConcurrentSessionsOnOneInstance() throws Exception {
        // Given 200 VMs of 20 users (10 each: the per-user limit), each with a token for proxy A
        int before = fixture.settledUpstreams();
        List<WsClient> clients = new ArrayList<>();
        try {
            // When all 200 consoles are open at once
            for (int i = 0; i < 200; i++) {
                String vm = ProxyFixture.newVmId();
                String token = fixture.issue(vm, "user-" + i % 20, "vnc", "127.0.0.1", fixture.echo.port(), null,
                        Duration.ofSeconds(60));
                clients.add(WsClient.open(ProxyFixture.wsUri(proxyA, vm, token), ProxyFixture.ORIGIN, "binary"));
            }
            clients.forEach(c -> c.send(new byte[] {8}));
            // Then every one relays, each over its own upstream connection
            for (WsClient client : clients) {
                assertThat(client.read(1)).containsExactly(8);
            }
            assertThat(fixture.upstreamOpen.get() - before).isEqualTo(200);
            System.out.println("console-proxy instance held 200 concurrent sessions");
        } finally {
            clients.forEach(WsClient::closeFromClient);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.upstreamOpen.get() == before);
        clients.forEach(WsClient::close);
    }

    @Test
    void shouldCloseTheVmsSessionsWhenItsConsolesAreRevoked() throws Exception {
        String vm = ProxyFixture.newVmId();
        int before = fixture.settledUpstreams();
        WsClient client = WsClient.open(ProxyFixture.wsUri(proxyA, vm, fixture.issueEcho(vm)), ProxyFixture.ORIGIN,
                "binary");
        client.send(new byte[] {1});
        client.read(1);
        fixture.stores.consoles().revoke(vm).block(Duration.ofSeconds(5));
        WebSocketCloseStatus status = client.closed.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(1008);
        assertThat(status.reasonText()).isEqualTo("SESSION_REVOKED");
        // the upstream is freed too (and a test run after this one counts from a settled figure)
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.upstreamOpen.get() == before);
        client.close();
    }
}
