package io.vmplane.gateway.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.TimeoutException;

import io.vmplane.gateway.GatewayProperties;
import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.console.ConsoleRevocation;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.Problem;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.IdempotencyStore;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.store.VmStore.BeginOperation;
import io.vmplane.store.VmStore.BeginResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Start, stop, reboot and delete: the store begins the operation atomically (precondition, next generation), then
 * the command goes to {@code vm.commands.v1} and the caller gets the operation id only once Kafka holds it. With an
 * {@code Idempotency-Key} a retry of the same action gets the same operation (its command is published again,
 * which the worker deduplicates by generation); the key with another action or other parameters is refused.
 */
@Service
public class VmLifecycle {

    private static final Logger log = LoggerFactory.getLogger(VmLifecycle.class);

    private final VmStore vms;
    private final IdempotencyStore idempotency;
    private final CommandPublisher publisher;
    private final GatewayProperties properties;
    private final Clock clock;
    private final ConsoleRevocation consoles;

    public VmLifecycle(@Lazy VmStore vms, @Lazy IdempotencyStore idempotency, CommandPublisher publisher,
                       GatewayProperties properties, Clock clock, ConsoleRevocation consoles) {
        this.vms = vms;
        this.idempotency = idempotency;
        this.publisher = publisher;
        this.properties = properties;
        this.clock = clock;
        this.consoles = consoles;
    }

    /** A life-cycle action with its parameters. */
    public sealed interface Action {

        String kind();

        /** The statuses the action may start from; empty for any. */
        List<VmStatus> allowedFrom();

        /** The VM's status once the action is accepted, or null to keep it. */
        VmStatus acceptedStatus();

        /** The parameters, canonically, for the Idempotency-Key comparison. */
        String parameters();

        /**
         * The kinds of a running operation this action replaces instead of waiting for it: a forced stop or a delete
         * does not wait out a graceful stop whose guest ignores ACPI.
         */
        default List<String> supersedes() {
            return List.of();
        }

        /** Whether a later action may replace this one while it runs (a graceful stop). */
        default boolean replaceable() {
            return false;
        }

        record Start() implements Action {
            public String kind() {
                return "start";
            }

            public List<VmStatus> allowedFrom() {
                return List.of(VmStatus.STOPPED);
            }

            public VmStatus acceptedStatus() {
                return null;
            }

            public String parameters() {
                return "";
            }
        }

        record Stop(StopRequest request) implements Action {
            public String kind() {
                return "stop";
            }

            public List<VmStatus> allowedFrom() {
                return request.force() ? List.of(VmStatus.RUNNING, VmStatus.STOPPING) : List.of(VmStatus.RUNNING);
            }

            public VmStatus acceptedStatus() {
                return VmStatus.STOPPING;
            }

            @Override
            public List<String> supersedes() {
                return request.force() ? List.of("stop") : List.of();
            }

            @Override
            public boolean replaceable() {
                return !request.force();
            }

            public String parameters() {
                return "force=" + request.force() + ",graceful_timeout_seconds=" + request.gracefulTimeoutSeconds();
            }
        }

        record Reboot() implements Action {
            public String kind() {
                return "reboot";
            }

            public List<VmStatus> allowedFrom() {
                return List.of(VmStatus.RUNNING);
            }

            public VmStatus acceptedStatus() {
                return null;
            }

            public String parameters() {
                return "";
            }
        }

        record Delete(boolean deleteVolumes) implements Action {
            public String kind() {
                return "delete";
            }

            public List<VmStatus> allowedFrom() {
                return List.of();
            }

            public VmStatus acceptedStatus() {
                return VmStatus.DELETING;
            }

            public String parameters() {
                return "delete_volumes=" + deleteVolumes;
            }

            @Override
            public List<String> supersedes() {
                return List.of("stop");
            }
        }
    }

    /**
     * @param idempotencyKey the client's key, already checked, or null
     * @return the operation id, once its command is durable
     */
    public Mono<String> perform(Caller caller, String vmId, Action action, String idempotencyKey) {
        Mono<VmRecord> visible = storeCall(vms.get(vmId))
                .filter(vm -> caller.maySee(vm.project()) && vm.status() != VmStatus.DELETED)
                .switchIfEmpty(Mono.error(VmLifecycle::notFound));
        if (idempotencyKey == null) {
            return visible.flatMap(vm -> begin(caller, vm, action, opId -> Mono.just(opId)));
        }
        String requestHash = requestHash(vmId, action);
        return visible.flatMap(vm -> storeCall(idempotency.get(caller.project(), idempotencyKey))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(known -> known.isPresent()
                        ? retry(caller, vm, action, known.get(), requestHash)
                        : begin(caller, vm, action,
                                opId -> remember(caller, idempotencyKey, requestHash, vmId, opId))));
    }

    /** A key seen before: the same request gets its operation again (its command re-published while current). */
    private Mono<String> retry(Caller caller, VmRecord vm, Action action, IdempotencyStore.Entry known,
                               String requestHash) {
        if (!known.requestHash().equals(requestHash)) {
            return Mono.error(VmCreation.keyReused());
        }
        String operationId = known.operationId();
        if (!operationId.equals(vm.operationId())) {
            return Mono.just(operationId);
        }
        return storeCall(vms.operation(operationId))
                .flatMap(op -> publish(commandFor(caller, vm, action, vm.generation(), op.createdAt()), vm.id()))
                .thenReturn(operationId);
    }

    /**
     * Remembers the key for the operation just begun, before its command is published (so that a retry after a
     * 503 finds it). Should a concurrent request with the same key have won, its entry holds: the same request
     * answers with that operation.
     */
    private Mono<String> remember(Caller caller, String key, String requestHash, String vmId, String operationId) {
        var entry = new IdempotencyStore.Entry(requestHash, vmId, operationId);
        return storeCall(idempotency.putIfAbsent(caller.project(), key, entry, properties.idempotencyKeyTtl()))
                .flatMap(held -> held.requestHash().equals(requestHash)
                        ? Mono.just(held.operationId())
                        : Mono.error(VmCreation.keyReused()));
    }

    /**
     * Begins the operation in the store; once accepted, {@code remembered} maps its id to the operation to answer
     * (the key's), and the command is published when that is this operation.
     */
    private Mono<String> begin(Caller caller, VmRecord vm, Action action,
                               Function<String, Mono<String>> remembered) {
        Instant now = clock.instant();
        var request = new BeginOperation(vm.id(), action.kind(), action.allowedFrom(), action.acceptedStatus(), now,
                deadline(action, now, properties.lifecycleDeadline()), action.supersedes(), action.replaceable());
        return storeCall(vms.beginOperation(request))
                .flatMap(result -> result.accepted()
                        ? remembered.apply(result.operationId())
                                .flatMap(opId -> !opId.equals(result.operationId())
                                        ? Mono.just(opId)
                                        : publish(commandFor(caller, vm, action, result.generation(), now), vm.id())
                                                .then(revokeConsoles(action, vm.id()))
                                                .thenReturn(opId)
                                                .doOnSuccess(id -> log.info(
                                                        "{} of {} accepted as {} (user {}, project {})",
                                                        action.kind(), vm.id(), id, caller.user(),
                                                        caller.project())))
                        : Mono.error(refusal(action, result)));
    }

    /** A stop or delete ends the VM's consoles: its tokens are revoked, its sessions closed (never failing). */
    private Mono<Void> revokeConsoles(Action action, String vmId) {
        return action instanceof Action.Stop || action instanceof Action.Delete ? consoles.revoke(vmId)
                : Mono.empty();
    }

    /**
     * When the operation must have ended: {@code lifecycle-deadline} after its acceptance, and for a graceful stop
     * never sooner than its graceful timeout plus {@link #STOP_MARGIN}, so the guest gets the time it was promised and
     * the forced power-off after it still reports in time.
     */
    static Instant deadline(Action action, Instant acceptedAt, Duration lifecycleDeadline) {
        Instant deadline = acceptedAt.plus(lifecycleDeadline);
        if (action instanceof Action.Stop stop && !stop.request().force()) {
            Instant graceful = acceptedAt.plusSeconds(stop.request().gracefulTimeoutSeconds()).plus(STOP_MARGIN);
            return graceful.isAfter(deadline) ? graceful : deadline;
        }
        return deadline;
    }

    /** What a graceful stop's deadline adds to its graceful timeout: the force-off and its report. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(60);

    /** The command of an accepted action; its deadline counts from the operation's acceptance. */
    VmCommand commandFor(Caller caller, VmRecord vm, Action action, long generation, Instant acceptedAt) {
        String operationId = io.vmplane.schemas.vm.VmIds.operationIdFor(vm.id(), generation);
        Instant deadline = deadline(action, acceptedAt, properties.lifecycleDeadline());
        if (action instanceof Action.Stop stop) {
            return new VmCommand.StopVm(operationId, vm.id(), generation, operationId, vm.project(), caller.user(),
                    stop.request().gracefulTimeoutSeconds(), stop.request().force(), deadline, acceptedAt);
        }
        if (action instanceof Action.Reboot) {
            return new VmCommand.RebootVm(operationId, vm.id(), generation, operationId, vm.project(),
                    caller.user(), deadline, acceptedAt);
        }
        if (action instanceof Action.Delete delete) {
            return new VmCommand.DeleteVm(operationId, vm.id(), generation, operationId, vm.project(),
                    caller.user(), delete.deleteVolumes(), deadline, acceptedAt);
        }
        return new VmCommand.StartVm(operationId, vm.id(), generation, operationId, vm.project(), caller.user(),
                deadline, acceptedAt);
    }

    static ApiException refusal(Action action, BeginResult result) {
        return switch (result.outcome()) {
            case NOT_FOUND -> notFound();
            case OPERATION_IN_PROGRESS -> new ApiException(Problem.of(409, "Conflict", "OPERATION_IN_PROGRESS",
                            "The VM's operation " + result.operationId() + " has not ended; retry when it has")
                    .with("operation_id", String.valueOf(result.operationId()))
                    .with("vm_status", wire(result.status())));
            default -> new ApiException(Problem.of(409, "Conflict", "INVALID_STATE",
                            "Cannot " + action.kind() + " a VM that is " + wire(result.status())
                                    + (action.allowedFrom().isEmpty() ? ""
                                    : "; it must be " + String.join(" or ",
                                    action.allowedFrom().stream().map(VmStatus::wire).toList())))
                    .with("vm_status", wire(result.status())));
        };
    }

    private static String wire(VmStatus status) {
        return status == null ? "unknown" : status.wire();
    }

    private Mono<Void> publish(VmCommand command, String vmId) {
        return publisher.publish(command)
                .timeout(properties.createDeadline())
                .onErrorMap(e -> !(e instanceof ApiException), e -> {
                    log.warn("{} of {} not made durable in Kafka: {}", command.getClass().getSimpleName(), vmId,
                            e instanceof TimeoutException ? "timed out" : e.toString());
                    return new ApiException(Problem.of(503, "Service Unavailable", "KAFKA_UNAVAILABLE",
                                    "The command could not be made durable in time; retry with the same "
                                            + "Idempotency-Key")
                            .with("vm_id", vmId).with("operation_id", command.commandId()),
                            VmCreation.RETRY_AFTER, e);
                });
    }

    private static <T> Mono<T> storeCall(Mono<T> call) {
        return call.onErrorMap(e -> !(e instanceof ApiException), e -> {
            log.warn("State store call failed: {}", e.toString());
            return new ApiException(Problem.of(503, "Service Unavailable", "STORE_UNAVAILABLE",
                    "The state store is unavailable; retry later"), VmCreation.RETRY_AFTER, e);
        });
    }

    static ApiException notFound() {
        return ApiException.notFound("VM_NOT_FOUND", "No VM with this id in your project");
    }

    /** SHA-256 of the VM id, action and its parameters: what an Idempotency-Key is bound to. */
    static String requestHash(String vmId, Action action) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (vmId + "\u0000" + action.kind() + "\u0000" + action.parameters())
                            .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
