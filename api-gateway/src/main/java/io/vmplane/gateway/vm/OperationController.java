package io.vmplane.gateway.vm;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.gateway.web.Problem;
import io.vmplane.gateway.web.StoreErrors;
import io.vmplane.store.VmStore;
import org.springframework.context.annotation.Lazy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Operations, as clients poll them. An operation of another project is reported like an unknown one (admins see
 * every project's).
 */
@RestController
public class OperationController {

    static final Pattern OPERATION_ID =
            Pattern.compile("^op-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    static final int DEFAULT_WAIT_SECONDS = 30;
    static final int MAX_WAIT_SECONDS = 60;
    /** How often a waiting request reads the operation again. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(150);

    private final VmStore vms;

    public OperationController(@Lazy VmStore vms) {
        this.vms = vms;
    }

    /**
     * Answers as soon as the operation has ended ({@code succeeded}, {@code failed}, {@code cancelled}) or
     * {@code timeout} seconds have passed, with the operation as it is then. No thread waits: the store is read
     * again every {@link #POLL_INTERVAL}.
     */
    @GetMapping("/operations/{id}/wait")
    public Mono<OperationView> await(JwtAuthenticationToken token, @PathVariable String id,
                                     @RequestParam(name = "timeout", required = false) String timeout) {
        int seconds;
        try {
            seconds = waitSeconds(timeout);
        }
        catch (ApiException e) {
            return Mono.error(e);
        }
        Duration limit = Duration.ofSeconds(seconds);
        return get(token, id).flatMap(first -> ended(first.state()) || limit.isZero()
                ? Mono.just(first)
                : Flux.interval(POLL_INTERVAL)
                        .concatMap(tick -> StoreErrors.as503(vms.operation(id)).map(OperationView::of))
                        .filter(op -> ended(op.state()))
                        .next()
                        .timeout(limit, Mono.defer(() -> StoreErrors.as503(vms.operation(id))
                                .map(OperationView::of)
                                .defaultIfEmpty(first))));
    }

    /** The {@code timeout} parameter: whole seconds from 0 to {@link #MAX_WAIT_SECONDS}; absent: the default. */
    static int waitSeconds(String timeout) {
        if (timeout == null) {
            return DEFAULT_WAIT_SECONDS;
        }
        if (timeout.matches("^[0-9]{1,4}$")) {
            int seconds = Integer.parseInt(timeout);
            if (seconds <= MAX_WAIT_SECONDS) {
                return seconds;
            }
        }
        throw new ApiException(Problem.of(400, "Bad Request", "INVALID_QUERY",
                "timeout must be an integer from 0 to " + MAX_WAIT_SECONDS + " (seconds)")
                .withErrors(List.of(new FieldError("timeout", ErrorCodes.OUT_OF_RANGE,
                        "timeout must be an integer from 0 to " + MAX_WAIT_SECONDS))));
    }

    static boolean ended(String state) {
        return "succeeded".equals(state) || "failed".equals(state) || "cancelled".equals(state);
    }

    @GetMapping("/operations/{id}")
    public Mono<OperationView> get(JwtAuthenticationToken token, @PathVariable String id) {
        Caller caller = Caller.of(token);
        if (!OPERATION_ID.matcher(id).matches()) {
            return Mono.error(notFound());
        }
        return StoreErrors.as503(vms.operation(id))
                .filter(op -> caller.maySee(op.project()))
                .map(OperationView::of)
                .switchIfEmpty(Mono.error(OperationController::notFound));
    }

    private static ApiException notFound() {
        return ApiException.notFound("OPERATION_NOT_FOUND", "No operation with this id in your project");
    }
}
