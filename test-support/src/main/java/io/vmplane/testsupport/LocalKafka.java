package io.vmplane.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one JVM) on two free ports of 127.0.0.1, run as a
 * child process with its data in a temp dir. The broker's class path is the one {@code infra/kafka-broker} writes to
 * {@code target/kafka-classpath.txt}, so Kafka's server jars never meet the test's class path.
 * {@link #close()} kills it and deletes the dir; a shutdown hook does the same at JVM exit.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASSPATH_FILE = "infra/kafka-broker/target/kafka-classpath.txt";

    private final String bootstrapServers;
    private final Path dir;
    private final Process process;
    private final Thread exitHook;
    private boolean closed;

    private LocalKafka(String bootstrapServers, Path dir, Process process) {
        this.bootstrapServers = bootstrapServers;
        this.dir = dir;
        this.process = process;
        this.exitHook = ChildProcess.onExit("local-kafka", this::stop);
    }

    /** Formats the storage, starts the broker and returns once an admin client's describeCluster answers. */
    public static LocalKafka start() {
        String classPath = brokerClassPath();
        Path dir = createTempDir();
        int brokerPort = ChildProcess.freePort();
        int controllerPort = ChildProcess.freePort();
        Path properties = dir.resolve("server.properties");
        Path log = dir.resolve("kafka.log");
        write(properties, KafkaBrokerConfig.serverProperties(brokerPort, controllerPort, dir.resolve("data")));
        write(dir.resolve("log4j2.properties"), KafkaBrokerConfig.log4j2Properties());
        format(classPath, dir, properties, log);
        Process process = ChildProcess.start(java(classPath, dir, "kafka.Kafka", properties.toString()), log);
        LocalKafka kafka = new LocalKafka("127.0.0.1:" + brokerPort, dir, process);
        try {
            kafka.awaitCluster(log);
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:PORT}, the form of {@code spring.kafka.bootstrap-servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        ChildProcess.removeExitHook(exitHook);
        stop();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        ChildProcess.kill(process);
        ChildProcess.deleteTree(dir);
    }

    private void awaitCluster(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                            + "; log tail:\n" + ChildProcess.tail(log, 40));
                }
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                            .nodes().get(4, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                } catch (Exception notYet) {
                    // the broker is still starting; ask again
                }
            }
        }
        throw new IllegalStateException("the Kafka broker at " + bootstrapServers + " did not answer within "
                + START_TIMEOUT.toSeconds() + " s; log tail:\n" + ChildProcess.tail(log, 40));
    }

    private static void format(String classPath, Path dir, Path properties, Path log) {
        List<String> command = java(classPath, dir, "kafka.tools.StorageTool",
                "format", "-t", KafkaBrokerConfig.randomClusterId(), "-c", properties.toString(), "--ignore-formatted");
        Process format = ChildProcess.start(command, log);
        try {
            if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                ChildProcess.kill(format);
                throw new IllegalStateException("Kafka's StorageTool format did not end within "
                        + START_TIMEOUT.toSeconds() + " s; log tail:\n" + ChildProcess.tail(log, 40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildProcess.kill(format);
            throw new IllegalStateException("interrupted while formatting Kafka's storage", e);
        }
        if (format.exitValue() != 0) {
            ChildProcess.deleteTree(dir);
            throw new IllegalStateException("Kafka's StorageTool format failed with " + format.exitValue()
                    + "; log tail:\n" + ChildProcess.tail(log, 40));
        }
    }

    private static List<String> java(String classPath, Path dir, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** The broker's class path, read from the file infra/kafka-broker's build writes. */
    static String brokerClassPath() {
        Path file = VmplaneRoot.path().resolve(CLASSPATH_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("The Kafka broker's class path file " + file + " is missing. Build it"
                    + " with: cd " + VmplaneRoot.path() + " && ./mvnw -q -B -f infra/kafka-broker/pom.xml install");
        }
        try {
            String classPath = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (classPath.isEmpty()) {
                throw new IllegalStateException("The Kafka broker's class path file " + file + " is empty");
            }
            return classPath;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("vmplane-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp dir for the Kafka broker", e);
        }
    }
}
