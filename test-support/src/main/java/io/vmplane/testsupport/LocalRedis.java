package io.vmplane.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code redis-server} on a free port of 127.0.0.1, run as a child process with its data in a temp dir
 * (no persistence). {@link #close()} kills it and deletes the dir; a shutdown hook does the same at JVM exit.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private final Path dir;
    private final Process process;
    private final Thread exitHook;
    private boolean closed;

    private LocalRedis(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
        this.exitHook = ChildProcess.onExit("local-redis-" + port, this::stop);
    }

    /** Starts a server and returns once it answers PING. */
    public static LocalRedis start() {
        Path dir = createTempDir();
        int port = ChildProcess.freePort();
        Path log = dir.resolve("redis.log");
        Process process = ChildProcess.start(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no"), log);
        LocalRedis redis = new LocalRedis(port, dir, process);
        try {
            redis.awaitPong(log);
            return redis;
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, the form of {@code vmplane.redis.uri}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends PING over a fresh connection; true when the server answers PONG. */
    public boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(answer, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
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

    private void awaitPong(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (ping()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited with "
                        + process.exitValue() + ":\n" + ChildProcess.tail(log, 30));
            }
            pause();
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                + START_TIMEOUT.toSeconds() + " s:\n" + ChildProcess.tail(log, 30));
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("vmplane-redis-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp dir for redis-server", e);
        }
    }
}
