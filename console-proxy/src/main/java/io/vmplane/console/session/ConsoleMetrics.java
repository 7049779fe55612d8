package io.vmplane.console.session;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The proxy's meters, tagged with its instance id; labels are codes and directions, never a token, user or VM id.
 * {@code vmplane.console.sessions.active}, {@code vmplane.console.upstream.open},
 * {@code vmplane.console.sessions.opened}, {@code vmplane.console.bytes} (direction {@code from_client} or
 * {@code to_client}), {@code vmplane.console.refusals} (code).
 */
public final class ConsoleMetrics {

    private final MeterRegistry registry;
    private final String instance;
    private final Counter opened;
    private final Counter bytesFromClient;
    private final Counter bytesToClient;

    public ConsoleMetrics(MeterRegistry registry, String instance, Supplier<Number> active, Supplier<Number> upstreams) {
        this.registry = registry;
        this.instance = instance;
        Gauge.builder("vmplane.console.sessions.active", active).tag("instance", instance)
                .description("console sessions open on this instance").register(registry);
        Gauge.builder("vmplane.console.upstream.open", upstreams).tag("instance", instance)
                .description("TCP connections open to VNC/SPICE servers").register(registry);
        this.opened = Counter.builder("vmplane.console.sessions.opened").tag("instance", instance).register(registry);
        this.bytesFromClient = Counter.builder("vmplane.console.bytes").tag("instance", instance)
                .tag("direction", "from_client").baseUnit("bytes").register(registry);
        this.bytesToClient = Counter.builder("vmplane.console.bytes").tag("instance", instance)
                .tag("direction", "to_client").baseUnit("bytes").register(registry);
    }

    public void opened() {
        opened.increment();
    }

    public void fromClient(int bytes) {
        bytesFromClient.increment(bytes);
    }

    public void toClient(int bytes) {
        bytesToClient.increment(bytes);
    }

    /** Counts a refusal by its console code. */
    public void refused(String code) {
        Counter.builder("vmplane.console.refusals").tag("instance", instance).tag("code", code).register(registry)
                .increment();
    }
}
