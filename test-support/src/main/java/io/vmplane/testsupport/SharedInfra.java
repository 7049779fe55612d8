package io.vmplane.testsupport;

import java.util.function.Supplier;

/**
 * One Redis and one Kafka per test JVM, started on first use and stopped at JVM exit (each by its own shutdown
 * hook), so that every integration test class of a module shares them. Tests isolate themselves by key prefixes,
 * topic names and consumer groups, not by servers. A failed start is remembered and reported again to later callers.
 */
public final class SharedInfra {

    private static final Lazy<LocalRedis> REDIS = new Lazy<>(LocalRedis::start);
    private static final Lazy<LocalKafka> KAFKA = new Lazy<>(LocalKafka::start);

    private SharedInfra() {
    }

    public static LocalRedis redis() {
        return REDIS.get();
    }

    public static LocalKafka kafka() {
        return KAFKA.get();
    }

    private static final class Lazy<T> {

        private final Supplier<T> start;
        private T value;
        private RuntimeException failure;

        Lazy(Supplier<T> start) {
            this.start = start;
        }

        synchronized T get() {
            if (value == null && failure == null) {
                try {
                    value = start.get();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new IllegalStateException("shared test infrastructure failed to start: " + failure.getMessage(),
                        failure);
            }
            return value;
        }
    }
}
