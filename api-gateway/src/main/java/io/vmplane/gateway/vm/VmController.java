package io.vmplane.gateway.vm;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.vmplane.gateway.GatewayProperties;
import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.StoreErrors;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.gateway.web.Problem;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.MethodNotAllowedException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Creating, listing, reading, starting, stopping, rebooting and deleting VMs. A caller sees the VMs of its own project (admins see every project's); any other VM is
 * reported exactly like one that does not exist.
 */
@RestController
@RequestMapping("/virtualization/virtualmachines")
public class VmController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** 1 to 255 printable ASCII characters. */
    static final Pattern IDEMPOTENCY_KEY_FORMAT = Pattern.compile("^[\\x20-\\x7E]{1,255}$");

    /** VMs read from the store per batch while a filtered page fills. */
    static final int SCAN_BATCH = 100;

    private final VmCreation creation;
    private final VmLifecycle lifecycle;
    private final VmStore vms;
    private final GatewayProperties properties;

    public VmController(VmCreation creation, VmLifecycle lifecycle, @Lazy VmStore vms,
                        GatewayProperties properties) {
        this.creation = creation;
        this.lifecycle = lifecycle;
        this.vms = vms;
        this.properties = properties;
    }

    /** A page of VMs; {@code next_page_token} only when there are more. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VmPage(List<VmView> items,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String nextPageToken) {
    }

    /** What a life-cycle call's 202 answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record OperationAccepted(String operationId) {
    }

    @GetMapping
    public Mono<VmPage> list(JwtAuthenticationToken token, ServerHttpRequest request) {
        Caller caller = Caller.of(token);
        ListQuery query;
        try {
            query = ListQuery.parse(decoded(request.getQueryParams()), caller);
        }
        catch (ApiException e) {
            return Mono.error(e);
        }
        return StoreErrors.as503(scan(query)
                .filter(query::matches)
                .take(query.pageSize() + 1L)
                .collectList())
                .map(found -> {
                    boolean more = found.size() > query.pageSize();
                    List<VmRecord> page = more ? found.subList(0, query.pageSize()) : found;
                    return new VmPage(page.stream().map(vm -> VmView.of(vm, caller.admin())).toList(),
                            more ? ListQuery.encodeToken(VmStore.PageCursor.after(page.get(page.size() - 1)))
                                    : null);
                });
    }

    /**
     * The query parameters with their names and values URL-decoded (the request gives them raw); a malformed
     * escape is kept as it is, for the validation to refuse.
     */
    static Map<String, List<String>> decoded(MultiValueMap<String, String> raw) {
        var params = new LinkedHashMap<String, List<String>>();
        raw.forEach((name, values) -> params.computeIfAbsent(decode(name), n -> new java.util.ArrayList<>())
                .addAll(values.stream().map(v -> v == null ? "" : decode(v)).toList()));
        return params;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** The VMs of the query's scope from its cursor on, newest first, read lazily in batches. */
    private Flux<VmRecord> scan(ListQuery query) {
        return vms.page(query.project(), query.after(), SCAN_BATCH).collectList()
                .expand(batch -> batch.size() < SCAN_BATCH
                        ? Mono.empty()
                        : vms.page(query.project(), VmStore.PageCursor.after(batch.get(batch.size() - 1)),
                                SCAN_BATCH).collectList())
                .flatMapIterable(batch -> batch);
    }

    @PostMapping("/{id}/start")
    public Mono<ResponseEntity<OperationAccepted>> start(
            JwtAuthenticationToken token, ServerHttpRequest request, @PathVariable String id,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        return lifecycle(token, request, id, idempotencyKey, Mono.just(new VmLifecycle.Action.Start()));
    }

    @PostMapping("/{id}/stop")
    public Mono<ResponseEntity<OperationAccepted>> stop(
            JwtAuthenticationToken token, ServerHttpRequest request, @PathVariable String id,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        Mono<VmLifecycle.Action> action = RequestBodies.readOptionalTree(request, properties.maxBodySize().toBytes())
                .map(StopRequest::parse)
                .defaultIfEmpty(StopRequest.DEFAULT)
                .map(VmLifecycle.Action.Stop::new);
        return lifecycle(token, request, id, idempotencyKey, action);
    }

    @PostMapping("/{id}/reboot")
    public Mono<ResponseEntity<OperationAccepted>> reboot(
            JwtAuthenticationToken token, ServerHttpRequest request, @PathVariable String id,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        return lifecycle(token, request, id, idempotencyKey, Mono.just(new VmLifecycle.Action.Reboot()));
    }

    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<OperationAccepted>> delete(
            JwtAuthenticationToken token, ServerHttpRequest request, @PathVariable String id,
            @RequestParam(name = "delete_volumes", required = false) String deleteVolumes,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        if (deleteVolumes != null && !"true".equals(deleteVolumes) && !"false".equals(deleteVolumes)) {
            return Mono.error(new ApiException(Problem.of(400, "Bad Request", "INVALID_QUERY",
                    "delete_volumes must be true or false").withErrors(List.of(new FieldError("delete_volumes",
                    ErrorCodes.INVALID_VALUE, "delete_volumes must be true or false")))));
        }
        return lifecycle(token, request, id, idempotencyKey,
                Mono.just(new VmLifecycle.Action.Delete("true".equals(deleteVolumes))));
    }

    private Mono<ResponseEntity<OperationAccepted>> lifecycle(JwtAuthenticationToken token,
                                                              ServerHttpRequest request, String id,
                                                              String idempotencyKey,
                                                              Mono<VmLifecycle.Action> action) {
        Caller caller = Caller.of(token);
        if (idempotencyKey != null && !IDEMPOTENCY_KEY_FORMAT.matcher(idempotencyKey).matches()) {
            return Mono.error(ApiException.badRequest("INVALID_IDEMPOTENCY_KEY",
                    "The Idempotency-Key header must be 1 to 255 printable ASCII characters"));
        }
        if (!VmIds.VM_ID.matcher(id).matches()) {
            return Mono.error(notFound());
        }
        return action
                .flatMap(a -> lifecycle.perform(caller, id, a, idempotencyKey))
                .map(operationId -> ResponseEntity.accepted()
                        .location(URI.create(request.getPath().contextPath().value() + "/operations/"
                                + operationId))
                        .body(new OperationAccepted(operationId)));
    }

    @PostMapping(path = "/create-enhanced", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<VmCreation.Accepted>> create(
            JwtAuthenticationToken token, ServerHttpRequest request,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        Caller caller = Caller.of(token);
        if (idempotencyKey != null && !IDEMPOTENCY_KEY_FORMAT.matcher(idempotencyKey).matches()) {
            return Mono.error(ApiException.badRequest("INVALID_IDEMPOTENCY_KEY",
                    "The Idempotency-Key header must be 1 to 255 printable ASCII characters"));
        }
        return RequestBodies.readTree(request, properties.maxBodySize().toBytes())
                .map(body -> CreateRequestValidator.validate(body, caller.admin()))
                .flatMap(result -> result.valid()
                        ? creation.create(caller, result.spec(), idempotencyKey)
                        : Mono.error(rejection(result)))
                .map(accepted -> ResponseEntity.accepted()
                        .location(URI.create(request.getPath().contextPath().value() + "/operations/"
                                + accepted.operationId()))
                        .body(accepted));
    }

    /** {@code create-enhanced} takes POST only: another method on it is a 405, not an unknown VM. */
    @GetMapping("/create-enhanced")
    public Mono<Void> createWithGet() {
        return Mono.error(new MethodNotAllowedException(HttpMethod.GET, Set.of(HttpMethod.POST)));
    }

    @DeleteMapping("/create-enhanced")
    public Mono<Void> createWithDelete() {
        return Mono.error(new MethodNotAllowedException(HttpMethod.DELETE, Set.of(HttpMethod.POST)));
    }

    @GetMapping("/{id}")
    public Mono<VmView> get(JwtAuthenticationToken token, @PathVariable String id) {
        Caller caller = Caller.of(token);
        if (!VmIds.VM_ID.matcher(id).matches()) {
            return Mono.error(notFound());
        }
        return StoreErrors.as503(vms.get(id))
                .filter(vm -> caller.maySee(vm.project()) && vm.status() != VmStatus.DELETED)
                .map(vm -> VmView.of(vm, caller.admin()))
                .switchIfEmpty(Mono.error(VmController::notFound));
    }

    private static ApiException notFound() {
        return ApiException.notFound("VM_NOT_FOUND", "No VM with this id in your project");
    }

    /**
     * 403 when a non-admin sent admin-only fields (naming them), else 400. The top-level code names the most
     * telling cause: a removed v1 field, then an unknown field, else {@code VALIDATION_FAILED}.
     */
    static ApiException rejection(CreateRequestValidator.Result result) {
        List<FieldError> forbidden = result.forbidden();
        if (!forbidden.isEmpty()) {
            return new ApiException(Problem.of(403, "Forbidden", ErrorCodes.FORBIDDEN_FIELD,
                    "Only admins may set " + String.join(", ", forbidden.stream().map(FieldError::pointer).toList()))
                    .withErrors(forbidden));
        }
        List<FieldError> errors = result.errors();
        String code = errors.stream().anyMatch(e -> ErrorCodes.REMOVED_FIELD.equals(e.code()))
                ? ErrorCodes.REMOVED_FIELD
                : errors.stream().anyMatch(e -> ErrorCodes.UNKNOWN_FIELD.equals(e.code()))
                ? ErrorCodes.UNKNOWN_FIELD
                : errors.size() == 1 && ErrorCodes.INVALID_TYPE.equals(errors.get(0).code())
                        && errors.get(0).pointer().isEmpty() ? ErrorCodes.INVALID_TYPE : "VALIDATION_FAILED";
        String detail = errors.get(0).message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more problems, see errors)" : "");
        return new ApiException(Problem.of(400, "Bad Request", code, detail).withErrors(errors));
    }
}
