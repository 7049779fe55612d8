package io.vmplane.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import io.vmplane.testsupport.Libvirt;
import io.vmplane.testsupport.SharedInfra;

/**
 * The whole product as processes, as {@code ./dev up} runs it but on free ports, with the test JVM's own Kafka and
 * Redis, sharing libvirtd: a gateway, a provisioning worker, the console proxy, agents for two simulated hosts
 * ({@code sim-1} with the GPU, {@code sim-2}) and for the real host {@code qemu-1} (pinned VMs only). Every domain
 * it creates carries its own stack id, and only those are removed afterwards.
 */
final class LocalStack implements AutoCloseable {

    final String stackId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    final Tokens tokens;
    final Api api;
    private final List<ServiceProcess> services = new ArrayList<>();

    private LocalStack(Tokens tokens, Api api) {
        this.tokens = tokens;
        this.api = api;
    }

    static LocalStack start() throws Exception {
        String kafka = SharedInfra.kafka().bootstrapServers();
        String redis = SharedInfra.redis().uri();
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();

        Path dir = Files.createTempDirectory("vmplane-e2e");
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        Path secretFile = Files.writeString(dir.resolve("jwt-secret"), secret);

        int gatewayPort = freePort();
        LocalStack stack = new LocalStack(new Tokens(secret), new Api(gatewayPort));
        try {
            List<String> common = List.of("--spring.kafka.bootstrap-servers=" + kafka, "--vmplane.redis.uri=" + redis);
            stack.launch("gateway", "api-gateway", gatewayPort, "256m", common,
                    "--vmplane.gateway.jwt-secret-file=" + secretFile);
            stack.launch("worker-1", "provisioning-worker", freePort(), "192m", common,
                    "--vmplane.worker.instance-id=worker-1");
            stack.launch("console-proxy", "console-proxy", freePort(), "128m", common);
            stack.agent("sim-1", "test://" + Libvirt.writeSimulatedHost(dir, "sim-1", true), false, kafka);
            stack.agent("sim-2", "test://" + Libvirt.writeSimulatedHost(dir, "sim-2", false), false, kafka);
            stack.agent("qemu-1", "qemu:///system", true, kafka);
            for (ServiceProcess service : stack.services) {
                service.awaitHealthy(Duration.ofSeconds(120));
            }
            return stack;
        }
        catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void agent(String hostId, String uri, boolean pinnedOnly, String kafka) throws IOException {
        launch("agent-" + hostId, "host-agent", freePort(), "128m",
                List.of("--spring.kafka.bootstrap-servers=" + kafka),
                "--vmplane.agent.host-id=" + hostId, "--vmplane.agent.libvirt-uri=" + uri,
                "--vmplane.agent.pinned-only=" + pinnedOnly, "--vmplane.agent.console-address=127.0.0.1",
                "--vmplane.agent.stack-id=" + stackId, "--vmplane.agent.heartbeat-interval=1s");
    }

    private void launch(String name, String module, int port, String heap, List<String> common, String... args)
            throws IOException {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(args));
        services.add(ServiceProcess.start(name, module, port, heap, all));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess service : services) {
            service.close();
        }
        Libvirt.destroyDomainsOfStack("qemu:///system", stackId);
    }
}
