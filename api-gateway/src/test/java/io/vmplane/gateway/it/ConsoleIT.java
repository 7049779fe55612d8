package io.vmplane.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vmplane.gateway.GatewayApplication;
import io.vmplane.gateway.vm.Examples;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.StateStores;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleSession;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Console tokens, stats, configuration and revocation, against a real Redis and a real Kafka. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"vmplane.gateway.console-token-ttl=45s", "vmplane.gateway.console-tokens-per-minute=5",
                "vmplane.gateway.console-store-timeout=500ms", "vmplane.console.max-sessions-per-vm=2",
                "vmplane.console.allowed-origins=https://console.example"})
class ConsoleIT {

    private static final String VMS = "/api/v1/virtualization/virtualmachines";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Tokens TOKENS = Tokens.newSecret();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String NO_GRAPHICS = """
            {"name": "headless", "memory": 512, "vcpus": 1,
             "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []}, "graphics": {"type": "none"}}
            """;

    private static StateStores stores;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> raw;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static final List<String> issued = new CopyOnWriteArrayList<>();

    @LocalServerPort
    int port;

    private WebTestClient client;
    private final String project = "p-" + UUID.randomUUID();
    private final String user = "u-" + UUID.randomUUID().toString().substring(0, 8);
    private final String host = "sim-" + UUID.randomUUID().toString().substring(0, 8);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("vmplane.redis.uri", () -> SharedInfra.redis().uri());
        registry.add("spring.kafka.bootstrap-servers", () -> SharedInfra.kafka().bootstrapServers());
        registry.add("vmplane.gateway.jwt-secret-file", () -> TOKENS.secretFile().toString());
    }

    @BeforeAll
    static void open() {
        stores = StateStores.connect(SharedInfra.redis().uri());
        rawClient = RedisClient.create(SharedInfra.redis().uri());
        raw = rawClient.connect();
    }

    @AfterAll
    static void close() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        stores.close();
        raw.close();
        rawClient.shutdown();
    }

    @BeforeEach
    void client() {
        // the log capture is attached once the context (which configures logging afresh) has started
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("console-it") == null) {
            logs.setName("console-it");
            logs.start();
            root.addAppender(logs);
        }
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20)).build();
        stores.hosts().putInventory(new HostInventory(host, "test", "10.1.2.3", false, 32, 65536, List.of(),
                List.of(), Instant.now()), 128, 65536).block(TIMEOUT);
    }

    // --- helpers ---

    private JsonNode json(WebTestClient.ResponseSpec response, HttpStatus status) {
        byte[] body = response.expectStatus().isEqualTo(status).expectBody().returnResult().getResponseBody();
        return JSON.readTree(body);
    }

    private JsonNode problem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        response.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response, status);
        assertThat(problem.get("code").stringValue()).isEqualTo(code);
        if (code.startsWith("CONSOLE_") || code.startsWith("VM_NOT_RUNNING")) {
            // a console refusal is also a ConsoleError: code and message
            assertThat(problem.get("message").stringValue()).isNotBlank();
        }
        return problem;
    }

    private WebTestClient.ResponseSpec get(String jwt, String path) {
        return client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + jwt).exchange();
    }

    private String create(String jwt, String body) {
        return json(client.post().uri(VMS + "/create-enhanced").header(HttpHeaders.AUTHORIZATION, "Bearer " + jwt)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange(), HttpStatus.ACCEPTED)
                .get("id").stringValue();
    }

    /** The outcome an agent would report, with the live domain XML it read. */
    private void finish(String vmId, VmStatus status, String domainXml) {
        long generation = stores.vms().get(vmId).block(TIMEOUT).generation();
        assertThat(stores.vms().apply(VmEvent.of(vmId, generation, Phase.FINAL, status, host, "test")
                .withDomainXml(domainXml)).block(TIMEOUT)).isTrue();
    }

    private static String domainXml(String vmId, String type, int port) {
        return "<domain type='kvm' id='3'><name>" + vmId + "</name><devices>"
                + "<disk type='file' device='disk'><source file='/x.qcow2'/></disk>"
                + "<graphics type='" + type + "' port='" + port + "' autoport='yes' listen='127.0.0.1'>"
                + "<listen type='address' address='127.0.0.1'/></graphics></devices></domain>";
    }

    private String runningVnc(String jwt, int vncPort) {
        String vmId = create(jwt, Examples.SIMPLE);
        finish(vmId, VmStatus.RUNNING, domainXml(vmId, "vnc", vncPort));
        return vmId;
    }

    private JsonNode console(String jwt, String vmId) {
        JsonNode info = json(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.OK);
        issued.add(info.get("token").stringValue());
        return info;
    }

    private void assertNoLogLineHoldsAnIssuedToken() {
        assertThat(issued).isNotEmpty();
        assertThat(List.copyOf(logs.list)).anySatisfy(event ->
                assertThat(event.getFormattedMessage()).contains("Console token issued"));
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            String line = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
            for (String token : issued) {
                assertThat(line).doesNotContain(token);
            }
        }
    }

    // --- tests ---

    @Test
    void shouldIssueAOneTimeTokenForTheVncPortOfARunningVm() {
        // Given a running VM whose live XML has VNC on port 5907
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5907);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // When
        JsonNode info = console(jwt, vmId);

        // Then the answer is a ConsoleInfo with a 256-bit base64url token and a URL on the gateway as reached
        String token = info.get("token").stringValue();
        assertThat(info.get("vm_id").stringValue()).isEqualTo(vmId);
        assertThat(info.get("protocol").stringValue()).isEqualTo("vnc");
        assertThat(token).matches("^[A-Za-z0-9_-]{43}$");
        assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
        assertThat(info.get("ws_url").stringValue()).isEqualTo("ws://127.0.0.1:" + port + VMS + "/" + vmId
                + "/console/ws?token=" + token);
        Instant expiresAt = Instant.parse(info.get("expires_at").stringValue());
        assertThat(expiresAt).isBetween(before.plusSeconds(44), Instant.now().plusSeconds(46));
        // and the grant is in Redis under the token's hash only, living the token's TTL, and opens exactly once
        assertThat(raw.sync().keys("*" + token + "*")).isEmpty();
        assertThat(raw.sync().keys("console:token:*")).isNotEmpty();
        ConsoleGrant grant = stores.consoles().consume(token).block(TIMEOUT);
        assertThat(grant.vmId()).isEqualTo(vmId);
        assertThat(grant.user()).isEqualTo(user);
        assertThat(grant.project()).isEqualTo(project);
        assertThat(grant.protocol()).isEqualTo("vnc");
        assertThat(grant.hostId()).isEqualTo(host);
        assertThat(grant.address()).isEqualTo("10.1.2.3");
        assertThat(grant.port()).isEqualTo(5907);
        assertThat(grant.expiresAt()).isEqualTo(expiresAt);
        assertThat(stores.consoles().consume(token).block(TIMEOUT)).isNull();
        assertNoLogLineHoldsAnIssuedToken();
    }

    @Test
    void shouldGiveEachRequestItsOwnToken() {
        // Given
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5908);

        // When
        String first = console(jwt, vmId).get("token").stringValue();
        String second = console(jwt, vmId).get("token").stringValue();

        // Then
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void shouldRefuseAVmThatIsNotRunning() {
        // Given a stopped VM
        String jwt = TOKENS.user(user, project);
        String vmId = create(jwt, Examples.SIMPLE);
        finish(vmId, VmStatus.STOPPED, domainXml(vmId, "vnc", -1));

        // When / Then
        JsonNode problem = problem(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.CONFLICT, "VM_NOT_RUNNING");
        assertThat(problem.get("vm_status").stringValue()).isEqualTo("stopped");
    }

    @Test
    void shouldRefuseAVmWithoutGraphics() {
        // Given a running VM created with graphics none
        String jwt = TOKENS.user(user, project);
        String vmId = create(jwt, NO_GRAPHICS);
        finish(vmId, VmStatus.RUNNING, "<domain><name>" + vmId + "</name><devices/></domain>");

        // When / Then
        problem(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.CONFLICT, "CONSOLE_UNAVAILABLE");
    }

    @Test
    void shouldAnswer503WhileTheVmsPortIsNotKnown() {
        // Given a running VM whose agent reported no domain XML
        String jwt = TOKENS.user(user, project);
        String vmId = create(jwt, Examples.SIMPLE);
        finish(vmId, VmStatus.RUNNING, null);

        // When / Then
        problem(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.SERVICE_UNAVAILABLE, "CONSOLE_UNAVAILABLE");
    }

    @Test
    void shouldAnswerAnotherProjectsVmLikeAnUnknownOne() {
        // Given a running VM of this project
        String vmId = runningVnc(TOKENS.user(user, project), 5909);
        String stranger = TOKENS.user("mallory", "p-" + UUID.randomUUID());

        // When another project's user asks for its console and stats, and for an unknown VM's
        JsonNode foreign = problem(get(stranger, VMS + "/" + vmId + "/console"), HttpStatus.NOT_FOUND,
                "VM_NOT_FOUND");
        JsonNode unknown = problem(get(stranger, VMS + "/vm-" + UUID.randomUUID() + "/console"),
                HttpStatus.NOT_FOUND, "VM_NOT_FOUND");
        problem(get(stranger, VMS + "/" + vmId + "/console/stats"), HttpStatus.NOT_FOUND, "VM_NOT_FOUND");

        // Then both answers are the same, and an admin of any project gets the console
        assertThat(foreign.get("detail")).isEqualTo(unknown.get("detail"));
        assertThat(console(TOKENS.admin("root", "ops"), vmId).get("protocol").stringValue()).isEqualTo("vnc");
    }

    @Test
    void shouldReadTheSpicePortForASpiceVm() {
        // Given a running VM created with SPICE graphics
        String jwt = TOKENS.user(user, project);
        String vmId = create(jwt, Examples.SIMPLE.replace("\"vcpus\": 2,", "\"vcpus\": 2, \"graphics\": {\"type\": \"spice\"},"));
        finish(vmId, VmStatus.RUNNING, domainXml(vmId, "spice", 5930));

        // When
        JsonNode info = console(jwt, vmId);

        // Then
        assertThat(info.get("protocol").stringValue()).isEqualTo("spice");
        assertThat(stores.consoles().consume(info.get("token").stringValue()).block(TIMEOUT).port()).isEqualTo(5930);
    }

    @Test
    void shouldRateLimitTokenIssuePerUser() {
        // Given a user who was issued the 5 tokens a minute allows
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5910);
        for (int i = 0; i < 5; i++) {
            console(jwt, vmId);
        }

        // When the user asks again
        // Then
        problem(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED");
        // and another user is not held back
        String other = TOKENS.user(user + "-2", project);
        console(other, vmId);
    }

    @Test
    void shouldFailClosedWith503WhileRedisDoesNotAnswer() {
        // Given a running VM, and Redis pausing every client for 2 s
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5911);
        raw.sync().clientPause(2000);

        // When / Then no token is issued
        problem(get(jwt, VMS + "/" + vmId + "/console"), HttpStatus.SERVICE_UNAVAILABLE, "CONSOLE_UNAVAILABLE");
        // and once Redis answers again, tokens are issued again
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                get(jwt, VMS + "/" + vmId + "/console").expectStatus().isOk());
    }

    @Test
    void shouldReportTheVmsSessionsAcrossProxyInstances() {
        // Given two live sessions of a VM on two proxy instances, three ever
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5912);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        var a = new ConsoleSession("s-a-" + UUID.randomUUID(), vmId, "vnc", user, "10.0.0.7", "console-1", now, now,
                100, 2000, 0);
        var b = new ConsoleSession("s-b-" + UUID.randomUUID(), vmId, "vnc", user, "10.0.0.8", "console-2",
                now.plusSeconds(1), now.plusSeconds(2), 10, 20, 0);
        var gone = new ConsoleSession("s-c-" + UUID.randomUUID(), vmId, "vnc", user, "10.0.0.9", "console-2", now,
                now, 0, 0, 0);
        stores.consoles().putSession(a, Duration.ofSeconds(30), true).block(TIMEOUT);
        stores.consoles().putSession(b, Duration.ofSeconds(30), true).block(TIMEOUT);
        stores.consoles().putSession(gone, Duration.ofSeconds(30), true).block(TIMEOUT);
        stores.consoles().removeSession(vmId, gone.id()).block(TIMEOUT);

        // When
        JsonNode stats = json(get(jwt, VMS + "/" + vmId + "/console/stats"), HttpStatus.OK);

        // Then
        assertThat(stats.get("vm_id").stringValue()).isEqualTo(vmId);
        assertThat(stats.get("active_connections").intValue()).isEqualTo(2);
        assertThat(stats.get("total_connections").longValue()).isEqualTo(3);
        assertThat(stats.get("bytes_from_client").longValue()).isEqualTo(110);
        assertThat(stats.get("bytes_to_client").longValue()).isEqualTo(2020);
        JsonNode first = stats.get("connections").get(0);
        assertThat(first.get("id").stringValue()).isEqualTo(a.id());
        assertThat(first.get("proxy_instance").stringValue()).isEqualTo("console-1");
        assertThat(first.get("client_address").stringValue()).isEqualTo("10.0.0.7");
        assertThat(first.get("user").stringValue()).isEqualTo(user);
        assertThat(Instant.parse(first.get("connected_at").stringValue())).isEqualTo(now);
        assertThat(stats.get("connections").get(1).get("proxy_instance").stringValue()).isEqualTo("console-2");
    }

    @Test
    void shouldShowTheEffectiveConsoleConfigurationToAdminsOnly() {
        // Given a proxy instance that just beat
        String instance = "console-it-" + UUID.randomUUID().toString().substring(0, 8);
        stores.consoles().heartbeat(instance).block(TIMEOUT);

        // When
        JsonNode config = json(get(TOKENS.admin("root", "ops"), "/api/v1/virtualization/console/config"),
                HttpStatus.OK);

        // Then
        assertThat(config.get("token_ttl_seconds").intValue()).isEqualTo(45);
        assertThat(config.get("max_connections_per_vm").intValue()).isEqualTo(2);
        assertThat(config.get("idle_timeout_seconds").intValue()).isEqualTo(1800);
        assertThat(config.get("allowed_origins").get(0).stringValue()).isEqualTo("https://console.example");
        assertThat(java.util.stream.StreamSupport.stream(config.get("instances").spliterator(), false)
                .map(JsonNode::stringValue)).contains(instance);
        problem(get(TOKENS.user(user, project), "/api/v1/virtualization/console/config"), HttpStatus.FORBIDDEN,
                "ADMIN_REQUIRED");
    }

    @Test
    void shouldRevokeTheVmsTokensAndSessionsWhenItIsStoppedOrDeleted() {
        // Given a running VM with an unused console token, and a proxy listening for revocations
        String jwt = TOKENS.user(user, project);
        String vmId = runningVnc(jwt, 5913);
        String token = console(jwt, vmId).get("token").stringValue();
        List<String> revoked = new CopyOnWriteArrayList<>();
        Disposable listening = stores.consoles().revocations().subscribe(revoked::add);
        try {
            // When the VM is stopped
            client.post().uri(VMS + "/" + vmId + "/stop").header(HttpHeaders.AUTHORIZATION, "Bearer " + jwt)
                    .exchange().expectStatus().isAccepted();

            // Then the token opens nothing and every proxy is told to close the VM's sessions
            assertThat(stores.consoles().consume(token).block(TIMEOUT)).isNull();
            await().atMost(TIMEOUT).until(() -> revoked.contains(vmId));

            // and when it is deleted, again
            finish(vmId, VmStatus.STOPPED, null);
            revoked.clear();
            client.delete().uri(VMS + "/" + vmId).header(HttpHeaders.AUTHORIZATION, "Bearer " + jwt)
                    .exchange().expectStatus().isAccepted();
            await().atMost(TIMEOUT).until(() -> revoked.contains(vmId));
        }
        finally {
            listening.dispose();
        }
    }
}
