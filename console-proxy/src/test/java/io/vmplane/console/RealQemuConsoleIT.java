package io.vmplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Cipher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vmplane.testsupport.Libvirt;

/**
 * A real QEMU VM on {@code qemu:///system} (transient, diskless, 128 MiB, TCG) with a password-protected VNC server
 * and a SPICE server, tagged with this test's stack id and destroyed afterwards; one console proxy in front.
 */
class RealQemuConsoleIT {

    private static final String STACK = "it-console-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String VNC_PASSWORD = "s3cretpw";
    private static final int MINI_HEADER_CAPS = 0b1011; // auth selection, auth spice, mini header

    private static ProxyFixture fixture;
    private static int proxy;
    private static String vmId;
    private static int vncPort;
    private static int spicePort;

    @BeforeAll
    static void startVmAndProxy() throws Exception {
        Libvirt.ensureDaemons();
        vmId = "vm-" + UUID.randomUUID();
        String xml = """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>128</memory>
                  <vcpu>1</vcpu>
                  <metadata><vmplane:stack xmlns:vmplane='%s'>%s</vmplane:stack></metadata>
                  <os><type arch='x86_64' machine='q35'>hvm</type></os>
                  <devices>
                    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='%s'/>
                    <graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'/>
                    <video><model type='qxl'/></video>
                  </devices>
                </domain>
                """.formatted(vmId, Libvirt.STACK_NAMESPACE, STACK, VNC_PASSWORD);
        Path file = Files.createTempFile("console-it-", ".xml");
        Files.writeString(file, xml);
        try {
            Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "create", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
        String live = Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "dumpxml", vmId);
        vncPort = port(live, "vnc");
        spicePort = port(live, "spice");
        fixture = new ProxyFixture();
        proxy = fixture.startProxy("it-qemu");
    }

    @AfterAll
    static void stop() {
        try {
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, STACK);
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    private static int port(String xml, String type) {
        Matcher m = Pattern.compile("<graphics type='" + type + "' port='(\\d+)'").matcher(xml);
        assertThat(m.find()).as("a %s port in the live XML", type).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void shouldCompleteAnRfbHandshakeThroughTheProxyWithoutTheBrowserKnowingTheVncPassword() throws Exception {
        // Given a token whose grant carries the VM's VNC password
        String token = fixture.issue(vmId, "vnc", "127.0.0.1", vncPort, VNC_PASSWORD, Duration.ofSeconds(60));
        try (WsClient browser = WsClient.open(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN, "binary")) {
            // When the browser speaks RFB 3.8 and picks the only security type offered
            assertThat(new String(browser.read(12), StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
            browser.send("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(browser.read(2)).as("one security type: None").containsExactly(1, 1);
            browser.send(new byte[] {1});
            assertThat(browser.read(4)).as("security result OK").containsExactly(0, 0, 0, 0);
            browser.send(new byte[] {1}); // ClientInit, shared
            // Then QEMU's ServerInit arrives: a framebuffer size and the VM's name
            ByteBuffer init = ByteBuffer.wrap(browser.read(24));
            int width = init.getShort(0) & 0xffff;
            int height = init.getShort(2) & 0xffff;
            int nameLength = init.getInt(20);
            String name = new String(browser.read(nameLength), StandardCharsets.UTF_8);
            assertThat(width).isPositive();
            assertThat(height).isPositive();
            assertThat(name).contains(vmId);
        }
    }

    @Test
    void shouldOpenThirtyConsecutiveVncSessionsAndReportTheirSetUpTime() throws Exception {
        // Given 30 tokens issued one after the other, each used at once
        long[] setUpMicros = new long[30];
        for (int i = 0; i < setUpMicros.length; i++) {
            long issued = System.nanoTime();
            String token = fixture.issue(vmId, "vnc", "127.0.0.1", vncPort, VNC_PASSWORD, Duration.ofSeconds(60));
            try (WsClient browser = WsClient.open(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN,
                    "binary")) {
                // When the first bytes arrive (after the proxy's upstream authentication)
                // Then they are the RFB greeting
                assertThat(new String(browser.read(12), StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
                setUpMicros[i] = (System.nanoTime() - issued) / 1_000;
                browser.closeFromClient();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.stores.consoles()
                        .sessions(vmId).block(Duration.ofSeconds(2)).isEmpty());
            }
        }
        long[] sorted = setUpMicros.clone();
        Arrays.sort(sorted);
        System.out.printf("console set-up (token issue -> first upstream byte at the browser, VNC with password,"
                + " real QEMU, %d sessions): p50 %.1f ms, p99 %.1f ms%n", sorted.length, sorted[sorted.length / 2]
                / 1000.0, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0);
    }

    @Test
    void shouldAdmitASecondSpiceChannelOfTheSessionAndRefuseAWrongConnectionId() throws Exception {
        // Given a SPICE token and its main channel linked through the proxy
        String token = fixture.issue(vmId, "spice", "127.0.0.1", spicePort, null, Duration.ofSeconds(60));
        try (WsClient main = WsClient.open(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN, "binary")) {
            long sessionId = linkMain(main);
            assertThat(sessionId).isNotZero();

            // When a display channel presents the session's connection_id, and another a wrong one
            try (WsClient display = WsClient.open(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN,
                    "binary");
                 WsClient intruder = WsClient.open(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN,
                         "binary")) {
                display.send(link(sessionId, 2));
                intruder.send(link(sessionId ^ 0x5a5a5a5aL, 2));

                // Then the display channel gets the server's link reply, and the intruder a policy close
                ByteBuffer reply = ByteBuffer.wrap(display.read(20)).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(reply.getInt(0)).isEqualTo(0x51444552);
                assertThat(reply.getInt(16)).as("link error").isZero();
                WebSocketCloseStatus refused = intruder.closed.get(10, TimeUnit.SECONDS);
                assertThat(refused.code()).isEqualTo(1008);
                assertThat(refused.reasonText()).isEqualTo("TOKEN_INVALID");
            }
        }
        // and once the session ended, the token opens nothing
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> fixture.stores.consoles().sessions(vmId).block(Duration.ofSeconds(2)).isEmpty());
        assertThat(ProxyFixture.refusal(ProxyFixture.wsUri(proxy, vmId, token), ProxyFixture.ORIGIN).status())
                .isEqualTo(401);
    }

    /** Links a SPICE main channel (auth by an empty ticket: libvirt disables ticketing) and returns MAIN_INIT's id. */
    private static long linkMain(WsClient main) throws Exception {
        main.send(link(0, 1));
        ByteBuffer header = ByteBuffer.wrap(main.read(16)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(header.getInt(0)).isEqualTo(0x51444552);
        ByteBuffer body = ByteBuffer.wrap(main.read(header.getInt(12))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(body.getInt(0)).as("link error").isZero();
        PublicKey key = KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Arrays.copyOfRange(body.array(), 4, 166)));
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        rsa.init(Cipher.ENCRYPT_MODE, key);
        byte[] ticket = rsa.doFinal(new byte[] {0});
        ByteBuffer auth = ByteBuffer.allocate(4 + ticket.length).order(ByteOrder.LITTLE_ENDIAN);
        auth.putInt(1).put(ticket);
        main.send(auth.array());
        assertThat(ByteBuffer.wrap(main.read(4)).order(ByteOrder.LITTLE_ENDIAN).getInt()).as("link result").isZero();
        for (int i = 0; i < 20; i++) {
            ByteBuffer message = ByteBuffer.wrap(main.read(6)).order(ByteOrder.LITTLE_ENDIAN);
            int type = message.getShort(0) & 0xffff;
            byte[] payload = main.read(message.getInt(2));
            if (type == 103) {
                return Integer.toUnsignedLong(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
            }
        }
        throw new AssertionError("no SPICE_MSG_MAIN_INIT among the first 20 messages");
    }

    private static byte[] link(long connectionId, int channelType) {
        ByteBuffer b = ByteBuffer.allocate(16 + 18 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x51444552).putInt(2).putInt(2).putInt(18 + 4);
        b.putInt((int) connectionId).put((byte) channelType).put((byte) 0).putInt(1).putInt(0).putInt(18);
        b.putInt(MINI_HEADER_CAPS);
        return b.array();
    }
}
