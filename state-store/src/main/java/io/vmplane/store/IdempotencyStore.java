package io.vmplane.store;

import java.time.Duration;

import reactor.core.publisher.Mono;

/** {@code Idempotency-Key}s, scoped per project. */
public interface IdempotencyStore {

    /**
     * Remembers {@code (project, key) → (requestHash, vmId, operationId)} for {@code ttl} unless the key is known.
     *
     * @return the record that holds now: the given one, or the earlier one (compare its requestHash)
     */
    Mono<Entry> putIfAbsent(String project, String key, Entry entry, Duration ttl);

    /** The entry a key holds, or empty when it is unknown (or expired). */
    Mono<Entry> get(String project, String key);

    record Entry(String requestHash, String vmId, String operationId) {
    }
}
