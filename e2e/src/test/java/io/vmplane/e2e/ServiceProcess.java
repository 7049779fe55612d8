package io.vmplane.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * One built service jar run as its own process, the way the launcher runs it; its output goes to
 * {@code e2e/target/e2e-logs/NAME.log}.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Map<Path, Path> COPIES = new HashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final List<String> command;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, List<String> command, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.command = command;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String name, String module, int port, String heap, List<String> args)
            throws IOException {
        Path root = Path.of(System.getProperty("vmplane.root", "..")).toAbsolutePath().normalize();
        Path jar = copyOf(root.resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT.jar"));
        Path logs = root.resolve("e2e/target/e2e-logs");
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-jar", jar.toString(),
                "--server.port=" + port));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ServiceProcess(name, port, List.copyOf(command), process, log);
    }

    /**
     * A private copy of a built jar, made once per test JVM, so that a build rewriting {@code target/} while the
     * stack runs (or restarts a service) cannot pull a half-written jar from under a process. A copy that is not a
     * readable zip (the build was writing it) is made again.
     */
    private static synchronized Path copyOf(Path jar) throws IOException {
        Path copy = COPIES.get(jar);
        if (copy != null) {
            return copy;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -DskipTests install");
        }
        Path dir = Files.createTempDirectory("vmplane-e2e-jars");
        dir.toFile().deleteOnExit();
        for (int attempt = 1; ; attempt++) {
            copy = Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            try (ZipFile readable = new ZipFile(copy.toFile())) {
                copy.toFile().deleteOnExit();
                COPIES.put(jar, copy);
                return copy;
            }
            catch (IOException halfWritten) {
                if (attempt == 5) {
                    throw new IOException(jar + " is not a readable jar (is a build writing it?)", halfWritten);
                }
                try {
                    Thread.sleep(2_000); // the build's packaging of one jar takes a few seconds
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while copying " + jar, e);
                }
            }
        }
    }

    String name() {
        return name;
    }

    /** Kills the process at once (SIGKILL): no shutdown hook, no graceful close of Kafka or libvirt connections. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die within 15 s of SIGKILL");
        }
    }

    /** Starts the same command again (same port and arguments), its output appended to the same log. */
    ServiceProcess restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        Process again = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServiceProcess(name, port, command, again, log);
    }

    /** Waits until {@code /actuator/health} answers UP, or fails with the log's tail. */
    ServiceProcess awaitHealthy(Duration limit) throws IOException, InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("UP")) {
                    return this;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not healthy within " + limit + ":\n" + tail());
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
