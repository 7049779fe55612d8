package io.vmplane.gateway.vm;

import java.util.regex.Pattern;

import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.StoreErrors;
import io.vmplane.store.VmStore;
import org.springframework.context.annotation.Lazy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Operations, as clients poll them. An operation of another project is reported like an unknown one (admins see
 * every project's).
 */
@RestController
public class OperationController {

    static final Pattern OPERATION_ID =
            Pattern.compile("^op-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final VmStore vms;

    public OperationController(@Lazy VmStore vms) {
        this.vms = vms;
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
