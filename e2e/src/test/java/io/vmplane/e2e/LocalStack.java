package io.vmplane.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.vmplane.testsupport.Libvirt;
import io.vmplane.testsupport.LocalRedis;
import io.vmplane.testsupport.SharedInfra;

/**
 * The whole product as processes, as {@code ./dev up} runs it but on free ports, with the test JVM's own Kafka and
 * Redis, sharing libvirtd. By default: a gateway, a provisioning worker, the console proxy, agents for two simulated
 * hosts ({@code sim-1} with the GPU, {@code sim-2}) and for the real host {@code qemu-1} (pinned VMs only);
 * {@link Options} changes the workers and hosts. Every domain it creates carries its own stack id, and only those are
 * removed afterwards.
 */
final class LocalStack implements AutoCloseable {

    /** The memory line of the simulated host template (64 GiB in KiB), replaced for a host of another size. */
    private static final String TEMPLATE_MEMORY = "<memory>67108864</memory>";

    final String stackId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    final Tokens tokens;
    final Api api;
    /** The Redis the services of this stack use. */
    final String redisUri;
    private final LocalRedis ownRedis;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private LocalStack(Tokens tokens, Api api, String redisUri, LocalRedis ownRedis) {
        this.tokens = tokens;
        this.api = api;
        this.redisUri = redisUri;
        this.ownRedis = ownRedis;
    }

    /**
     * A host of the stack.
     *
     * @param memoryMib for a simulated host, its memory (null: the template's 64 GiB)
     */
    record Host(String id, boolean simulated, boolean gpu, Long memoryMib) {

        static Host simulated(String id, boolean gpu) {
            return new Host(id, true, gpu, null);
        }

        static Host simulated(String id, long memoryMib) {
            return new Host(id, true, false, memoryMib);
        }

        /** The real host ({@code qemu:///system}), taking pinned VMs only. */
        static Host real(String id) {
            return new Host(id, false, false, null);
        }
    }

    /**
     * What to run.
     *
     * @param ownRedis   a Redis of the stack's own instead of the test JVM's shared one, so that no host registry,
     *                   ledger or VM of an earlier stack is seen
     * @param workers    provisioning workers, named {@code worker-1}, {@code worker-2}, …
     * @param hosts      one agent per host, named {@code agent-<host id>}
     * @param workerArgs extra arguments of every worker
     * @param console    whether to run the console proxy
     */
    record Options(boolean ownRedis, int workers, List<Host> hosts, List<String> workerArgs, boolean console) {

        static final Options DEFAULT = new Options(false, 1, List.of(Host.simulated("sim-1", true),
                Host.simulated("sim-2", false), Host.real("qemu-1")), List.of(), true);

        /** With the console proxy. */
        Options(boolean ownRedis, int workers, List<Host> hosts, List<String> workerArgs) {
            this(ownRedis, workers, hosts, workerArgs, true);
        }

        /** Placement and provisioning only: a Redis of its own, no console proxy. */
        static Options provisioning(int workers, List<Host> hosts, String... workerArgs) {
            return new Options(true, workers, hosts, List.of(workerArgs), false);
        }
    }

    static LocalStack start() throws Exception {
        return start(Options.DEFAULT);
    }

    static LocalStack start(Options options) throws Exception {
        String kafka = SharedInfra.kafka().bootstrapServers();
        LocalRedis ownRedis = options.ownRedis() ? LocalRedis.start() : null;
        String redis = ownRedis != null ? ownRedis.uri() : SharedInfra.redis().uri();
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();

        Path dir = Files.createTempDirectory("vmplane-e2e");
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        Path secretFile = Files.writeString(dir.resolve("jwt-secret"), secret);

        int gatewayPort = freePort();
        int consolePort = freePort();
        LocalStack stack = new LocalStack(new Tokens(secret), new Api(gatewayPort), redis, ownRedis);
        try {
            List<String> common = List.of("--spring.kafka.bootstrap-servers=" + kafka, "--vmplane.redis.uri=" + redis);
            // The gateway forwards consoles to this stack's proxy only (never to a ./dev up stack's), and the proxy
            // admits pages this gateway served (the browser console's Origin).
            stack.launch("gateway", "api-gateway", gatewayPort, "256m", common,
                    "--vmplane.gateway.jwt-secret-file=" + secretFile,
                    "--vmplane.gateway.console-proxies=http://127.0.0.1:" + consolePort);
            for (int i = 1; i <= options.workers(); i++) {
                List<String> args = new ArrayList<>(List.of("--vmplane.worker.instance-id=worker-" + i));
                args.addAll(options.workerArgs());
                stack.launch("worker-" + i, "provisioning-worker", freePort(), "192m", common,
                        args.toArray(String[]::new));
            }
            stack.launch("console-proxy", "console-proxy", consolePort, "128m", common,
                    "--vmplane.console.allowed-origins=http://127.0.0.1:" + gatewayPort + ",http://localhost:"
                            + gatewayPort);
            for (Host host : options.hosts()) {
                String uri = host.simulated() ? "test://" + simulatedHost(dir, host) : "qemu:///system";
                stack.agent(host.id(), uri, !host.simulated(), kafka);
            }
            for (ServiceProcess service : stack.services.values()) {
                service.awaitHealthy(Duration.ofSeconds(120));
            }
            return stack;
        }
        catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private static Path simulatedHost(Path dir, Host host) throws IOException {
        Path file = Libvirt.writeSimulatedHost(dir, host.id(), host.gpu());
        if (host.memoryMib() != null) {
            String xml = Files.readString(file);
            if (!xml.contains(TEMPLATE_MEMORY)) {
                throw new IllegalStateException("the simulated host template no longer has " + TEMPLATE_MEMORY);
            }
            Files.writeString(file, xml.replace(TEMPLATE_MEMORY, "<memory>" + host.memoryMib() * 1024 + "</memory>"));
        }
        return file;
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
        services.put(name, ServiceProcess.start(name, module, port, heap, all));
    }

    /** SIGKILLs a service ({@code worker-2}, {@code agent-qemu-1}, …). */
    void kill(String name) throws InterruptedException {
        service(name).kill();
    }

    /** Starts a killed service again with the same arguments and waits until it is healthy. */
    void restart(String name) throws IOException, InterruptedException {
        ServiceProcess again = service(name).restart();
        services.put(name, again);
        again.awaitHealthy(Duration.ofSeconds(120));
    }

    private ServiceProcess service(String name) {
        ServiceProcess service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("no service " + name + " in this stack: " + services.keySet());
        }
        return service;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess service : services.values()) {
            service.close();
        }
        Libvirt.destroyDomainsOfStack("qemu:///system", stackId);
        if (ownRedis != null) {
            ownRedis.close();
        }
    }
}
