package io.vmplane.gateway.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.vmplane.gateway.GatewayProperties;
import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.Problem;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.IdempotencyStore;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Accepts a validated create: picks the VM id (derived from the Idempotency-Key when there is one, so retries
 * converge), records the VM as pending, then publishes {@code CreateVm} and answers only once Kafka holds it.
 * A retry of a known key re-publishes the very same command (same command id, built from the stored VM), which the
 * worker deduplicates by VM id.
 */
@Service
public class VmCreation {

    static final long GENERATION = 1;
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(VmCreation.class);

    private final VmStore vms;
    private final IdempotencyStore idempotency;
    private final CommandPublisher publisher;
    private final GatewayProperties properties;
    private final Clock clock;

    public VmCreation(@Lazy VmStore vms, @Lazy IdempotencyStore idempotency, CommandPublisher publisher,
                      GatewayProperties properties, Clock clock) {
        this.vms = vms;
        this.idempotency = idempotency;
        this.publisher = publisher;
        this.properties = properties;
        this.clock = clock;
    }

    /** What the 202 answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Accepted(String id, String status, String operationId) {
    }

    /**
     * @param idempotencyKey the client's key, already checked, or null
     */
    public Mono<Accepted> create(Caller caller, VmSpec spec, String idempotencyKey) {
        String vmId = idempotencyKey == null ? VmIds.newVmId() : VmIds.vmIdFor(caller.project(), idempotencyKey);
        String operationId = VmIds.operationIdFor(vmId, GENERATION);
        String requestHash = hash(spec);
        Mono<Void> claimKey = idempotencyKey == null
                ? Mono.empty()
                : rememberKey(caller, idempotencyKey, new IdempotencyStore.Entry(requestHash, vmId, operationId));
        return claimKey
                .then(Mono.defer(() -> storeUnavailable(createPending(caller, spec, vmId, operationId), vmId,
                        operationId)))
                .flatMap(stored -> !hash(stored.spec()).equals(requestHash) ? Mono.error(keyReused())
                        : stored.status() == VmStatus.DELETED ? Mono.error(vmDeleted(vmId))
                        : publish(commandFor(stored), vmId, operationId))
                .thenReturn(new Accepted(vmId, VmStatus.PENDING.wire(), operationId));
    }

    private Mono<Void> rememberKey(Caller caller, String key, IdempotencyStore.Entry entry) {
        return storeUnavailable(idempotency.putIfAbsent(caller.project(), key, entry, properties.idempotencyKeyTtl()),
                entry.vmId(), entry.operationId())
                .flatMap(held -> entry.requestHash().equals(held.requestHash())
                        ? Mono.<Void>empty()
                        : Mono.error(keyReused()));
    }

    static ApiException keyReused() {
        return new ApiException(Problem.of(422, "Unprocessable Content", "IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was used with a different request body; use a new key"));
    }

    /** The key's VM was deleted: a retry must not answer 202 for a VM that no longer exists, nor create it again. */
    static ApiException vmDeleted(String vmId) {
        return new ApiException(Problem.of(409, "Conflict", "VM_DELETED",
                "The VM this Idempotency-Key created was deleted; use a new key to create another")
                .with("vm_id", vmId));
    }

    /** Records the VM and its operation as pending; a VM that exists already (a retry) is returned unchanged. */
    private Mono<VmRecord> createPending(Caller caller, VmSpec spec, String vmId, String operationId) {
        Instant now = clock.instant();
        var vm = new VmRecord(vmId, spec.name(), caller.project(), caller.user(), VmStatus.PENDING, null, null, null,
                spec, null, GENERATION, VmEvent.version(GENERATION, VmEvent.Phase.ACCEPTED), operationId,
                now.plus(properties.provisioningDeadline()), now, now);
        var operation = new OperationRecord(operationId, vmId, caller.project(), "create", "pending", null, null,
                now, now, List.of(OperationRecord.Step.accepted("pending", now)));
        return vms.createPending(vm, operation);
    }

    /**
     * The create command of a stored VM: identical for every retry, since everything in it comes from the record
     * the first request stored (the deadline counts from the VM's creation).
     */
    VmCommand.CreateVm commandFor(VmRecord vm) {
        String operationId = VmIds.operationIdFor(vm.id(), GENERATION);
        return new VmCommand.CreateVm(operationId, vm.id(), GENERATION, operationId, vm.project(), vm.user(),
                vm.spec(), vm.createdAt().plus(properties.provisioningDeadline()), vm.createdAt());
    }

    private Mono<Void> publish(VmCommand command, String vmId, String operationId) {
        return publisher.publish(command)
                .timeout(properties.createDeadline())
                .onErrorMap(e -> !(e instanceof ApiException), e -> {
                    log.warn("Create of {} not made durable in Kafka: {}", vmId,
                            e instanceof TimeoutException ? "timed out" : e.toString());
                    return unavailable("KAFKA_UNAVAILABLE",
                            "The command could not be made durable in time; retry with the same Idempotency-Key",
                            vmId, operationId, e);
                });
    }

    private static <T> Mono<T> storeUnavailable(Mono<T> call, String vmId, String operationId) {
        return call.onErrorMap(e -> !(e instanceof ApiException), e -> {
            log.warn("State store call failed for {}: {}", vmId, e.toString());
            return unavailable("STORE_UNAVAILABLE", "The state store is unavailable; retry later", vmId,
                    operationId, e);
        });
    }

    private static ApiException unavailable(String code, String detail, String vmId, String operationId,
                                            Throwable cause) {
        return new ApiException(Problem.of(503, "Service Unavailable", code, detail)
                .with("vm_id", vmId).with("operation_id", operationId), RETRY_AFTER, cause);
    }

    /** SHA-256 of the canonical JSON of the normalised spec: equal requests hash equal whatever their layout. */
    static String hash(VmSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.writeString(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
