package io.vmplane.gateway.web;

import java.time.Duration;

import reactor.core.publisher.Mono;

/** A failing state-store call becomes a 503 problem ({@code STORE_UNAVAILABLE}, {@code Retry-After}). */
public final class StoreErrors {

    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private StoreErrors() {
    }

    public static <T> Mono<T> as503(Mono<T> call) {
        return call.onErrorMap(e -> !(e instanceof ApiException), e -> new ApiException(
                Problem.of(503, "Service Unavailable", "STORE_UNAVAILABLE", "The state store is unavailable"),
                RETRY_AFTER, e));
    }
}
