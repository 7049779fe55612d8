package io.vmplane.agent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vmplane.schemas.messages.Topics;

/** The agent's topics being set up in the background; {@link #hostCommandPartitions()} waits until they are. */
public final class KafkaTopicsReady {

    private static final long TIMEOUT_SECONDS = 90;

    private final CompletableFuture<Integer> hostCommandPartitions;

    public KafkaTopicsReady(CompletableFuture<Integer> hostCommandPartitions) {
        this.hostCommandPartitions = hostCommandPartitions;
    }

    /** The partition count of {@link Topics#HOST_COMMANDS}, once every topic exists. */
    public int hostCommandPartitions() {
        try {
            return hostCommandPartitions.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka topics", e);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("the Kafka topics could not be set up: " + e.getCause().getMessage(),
                    e.getCause());
        }
        catch (TimeoutException e) {
            throw new IllegalStateException("the Kafka topics were not set up within " + TIMEOUT_SECONDS + " s "
                    + "(is spring.kafka.bootstrap-servers right?)", e);
        }
    }
}
