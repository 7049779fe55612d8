package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import io.vmplane.testsupport.Libvirt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The browser console page served by the gateway, in Debian's headless Chromium, on real QEMU VMs of the real host,
 * the whole way: the VM's ConsoleInfo from {@code GET …/{id}/console}, the page opened with it in the fragment, its
 * WebSocket on {@code ws_url} (the gateway's route, forwarded to the console proxy, relayed to QEMU). The canvas draws
 * the VM's boot screen at the framebuffer's size (noVNC for VNC, spice-html5 for SPICE), screenshots of the canvas and
 * of QEMU's own screen land in {@code e2e/target/screenshots/}, the used link is refused on a second opening, and the
 * token reaches no service log.
 */
class ConsolePageIT {

    static final String CREATE = "/virtualization/virtualmachines/create-enhanced";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Where {@link ServiceProcess} writes the services' output. */
    static final Path LOGS = Path.of("target", "e2e-logs");

    static LocalStack stack;
    static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        // The real host only: the consoles are real QEMU VMs'.
        stack = LocalStack.start(new LocalStack.Options(false, 1, List.of(LocalStack.Host.real("qemu-1")), List.of()));
        chromium = HeadlessChromium.launch();
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldDrawAVncVmsBootScreenInTheBrowserConsole() throws Exception {
        shouldDrawTheBootScreen("vnc");
    }

    @Test
    void shouldDrawASpiceVmsBootScreenInTheBrowserConsole() throws Exception {
        shouldDrawTheBootScreen("spice");
    }

    @Test
    void shouldRefuseFragmentsThatAreNotAConsoleAndSayWhyAsTextOnly() {
        String token = "t".repeat(22);
        String vmId = "vm-" + UUID.randomUUID();
        Map<String, String> refusals = new LinkedHashMap<>();
        // Given a VM id that is markup, a ws_url that is a script, one without a token, and an unknown protocol
        refusals.put("vm_id=" + encode("<img src=x onerror=\"document.title='pwned'\">") + "&protocol=vnc&ws_url="
                + encode("ws://127.0.0.1:1/?token=" + token), "vm_id is missing or not a VM id");
        refusals.put("vm_id=" + vmId + "&protocol=vnc&ws_url=" + encode("javascript:alert(1)//?token=" + token),
                "ws_url must be a ws: or wss: URL");
        refusals.put("vm_id=" + vmId + "&protocol=spice&ws_url=" + encode("ws://127.0.0.1:1/"),
                "ws_url carries no console token");
        refusals.put("vm_id=" + vmId + "&protocol=<b>rdp</b>&ws_url=" + encode("ws://127.0.0.1:1/?token=" + token),
                "protocol must be vnc or spice");
        refusals.forEach((fragment, reason) -> {
            // When the page is opened with it
            chromium.navigate("about:blank");
            chromium.navigate(stack.api.base() + "/console/index.html#" + fragment);

            // Then it says why as text, adds no element, opens nothing and drops the fragment
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> chromium.evaluate("document.body.dataset.state").asString(), "error"::equals);
            assertThat(chromium.evaluate("document.getElementById('status').textContent").asString())
                    .isEqualTo("cannot open a console: " + reason);
            assertThat(chromium.evaluate("document.querySelectorAll('img, b, #screen *').length").asInt()).isZero();
            assertThat(chromium.evaluate("document.title").asString()).isEqualTo("vmplane console");
            assertThat(chromium.evaluate("location.href").asString()).doesNotContain("#");
        });
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void shouldDrawTheBootScreen(String protocol) throws Exception {
        // Given a real QEMU VM with this kind of graphics, booting the stand-in ISO, and its ConsoleInfo
        String admin = stack.tokens.admin();
        String vmId = runningVm(admin, protocol);
        ConsoleLink link = consoleLink(vmId, admin, protocol);

        // When the console page is opened with the ConsoleInfo in its fragment
        chromium.navigate("about:blank");
        chromium.navigate(link.page());

        // Then the canvas draws QEMU's screen at the framebuffer's size, in more than one colour
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertCanvasShowsTheScreen(vmId, protocol));
        // And the fragment, which holds the token, is gone from the address bar
        assertThat(chromium.evaluate("location.href").asString()).doesNotContain("#", "token");
        assertThat(chromium.evaluate("document.getElementById('vm').textContent").asString()).isEqualTo(vmId);

        // And the same link opened again (its token used) is refused, and the page says so
        chromium.navigate("about:blank");
        chromium.navigate(link.page());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> chromium.evaluate("document.body.dataset.state").asString(), "error"::equals);
        assertThat(chromium.evaluate("document.getElementById('status').textContent").asString())
                .startsWith("refused (");

        // And the token reached no log of the gateway or the console proxy
        for (String service : List.of("gateway", "console-proxy")) {
            assertThat(Files.readString(LOGS.resolve(service + ".log"))).as(service + ".log")
                    .doesNotContain(link.token());
        }
    }

    /** The console page's URL with a ConsoleInfo in its fragment, and that ConsoleInfo's token. */
    record ConsoleLink(String page, String token) {
    }

    /** The VM's ConsoleInfo from the gateway, put in the console page's fragment as the README does. */
    private static ConsoleLink consoleLink(String vmId, String token, String protocol) {
        Api.Response answer = stack.api.get("/virtualization/virtualmachines/" + vmId + "/console", token);
        assertThat(answer.status()).as(HeadlessChromium.redact(answer.toString())).isEqualTo(200);
        JsonNode info = answer.json();
        assertThat(info.get("vm_id").asString()).isEqualTo(vmId);
        assertThat(info.get("protocol").asString()).isEqualTo(protocol);
        return new ConsoleLink(stack.api.base() + "/console/index.html#vm_id=" + vmId + "&protocol=" + protocol
                + "&ws_url=" + encode(info.get("ws_url").asString()), info.get("token").asString());
    }

    private static void assertCanvasShowsTheScreen(String vmId, String protocol) throws IOException {
        JsonNode page = chromium.evaluate("""
                (() => {
                  const canvas = document.querySelector('#screen canvas');
                  const box = canvas ? canvas.getBoundingClientRect() : null;
                  return {state: document.body.dataset.state, status: document.getElementById('status').textContent,
                          width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0,
                          x: box ? box.x : 0, y: box ? box.y : 0, dpr: window.devicePixelRatio};
                })()""");
        assertThat(page.get("state").asString()).as("page %s; console %s", page, chromium.console())
                .isEqualTo("connected");
        BufferedImage qemu = Screens.decode(qemuScreenshot(vmId));
        assertThat(page.get("width").asInt()).as("canvas width, QEMU's framebuffer %dx%d", qemu.getWidth(),
                qemu.getHeight()).isEqualTo(qemu.getWidth());
        assertThat(page.get("height").asInt()).as("canvas height").isEqualTo(qemu.getHeight());

        byte[] png = chromium.screenshot(page.get("x").asDouble(), page.get("y").asDouble(), qemu.getWidth(),
                qemu.getHeight());
        BufferedImage drawn = Screens.decode(png);
        Files.write(SCREENSHOTS.resolve(protocol + "-console.png"), png);
        ImageIO.write(qemu, "png", SCREENSHOTS.resolve(protocol + "-qemu.png").toFile());
        assertThat(Screens.colours(drawn, 16)).as("colours drawn").isGreaterThan(1);
        // A blinking cursor or a line of boot output may differ between the two captures, not the screen.
        assertThat(Screens.likeness(drawn, qemu, 24)).as("share of pixels like QEMU's screen").isGreaterThan(0.97);
    }

    private static byte[] qemuScreenshot(String vmId) throws IOException {
        Path file = Files.createTempFile("vmplane-screen", ".img");
        try {
            Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "screenshot", vmId, file.toString());
            return Files.readAllBytes(file);
        }
        finally {
            Files.deleteIfExists(file);
        }
    }

    private static String runningVm(String admin, String protocol) {
        String body = """
                {"name": "console-%s", "memory": 256, "vcpus": 1,
                 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []},
                 "graphics": {"type": "%s"}, "placement": {"host": "qemu-1"}}
                """.formatted(protocol, protocol);
        Api.Response accepted = stack.api.post(CREATE, admin, null, body);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String id = accepted.json().get("id").asString();
        JsonNode[] vm = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            vm[0] = stack.api.get("/virtualization/virtualmachines/" + id, admin).json();
            return vm[0].path("status").asString().matches("running|failed");
        });
        assertThat(vm[0].get("status").asString()).as(vm[0].toString()).isEqualTo("running");
        return id;
    }
}
