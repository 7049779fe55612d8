package io.vmplane.store.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;

/**
 * How VMs and operations are laid out in their Redis hashes, and the arguments of the {@code apply} script. A null
 * value is an absent field. Statuses and operation states are stored in their wire form ({@code pending}),
 * failure codes by name, instants as ISO-8601, the spec as JSON.
 */
final class VmHashes {

    private VmHashes() {
    }

    static Map<String, String> toHash(VmRecord vm) {
        var hash = new LinkedHashMap<String, String>();
        put(hash, "spec", vm.spec() == null ? null : Json.writeString(vm.spec()));
        put(hash, "name", vm.name());
        put(hash, "project", vm.project());
        put(hash, "user", vm.user());
        put(hash, "status", vm.status() == null ? null : vm.status().wire());
        put(hash, "host", vm.host());
        put(hash, "reason", vm.reason() == null ? null : vm.reason().name());
        put(hash, "message", vm.message());
        put(hash, "domain_xml", vm.domainXml());
        put(hash, "generation", Long.toString(vm.generation()));
        put(hash, "version", Long.toString(vm.version()));
        put(hash, "operation_id", vm.operationId());
        put(hash, "deadline", string(vm.deadline()));
        put(hash, "created_at", string(vm.createdAt()));
        put(hash, "updated_at", string(vm.updatedAt()));
        return hash;
    }

    static VmRecord vmFromHash(String vmId, Map<String, String> hash) {
        String spec = hash.get("spec");
        String status = hash.get("status");
        String reason = hash.get("reason");
        return new VmRecord(vmId, hash.get("name"), hash.get("project"), hash.get("user"),
                status == null ? null : VmStatus.fromWire(status), hash.get("host"),
                reason == null ? null : FailureCode.valueOf(reason), hash.get("message"),
                spec == null ? null : Json.read(spec, VmSpec.class), hash.get("domain_xml"),
                number(hash.get("generation")), number(hash.get("version")), hash.get("operation_id"),
                instant(hash.get("deadline")), instant(hash.get("created_at")), instant(hash.get("updated_at")));
    }

    static Map<String, String> toHash(OperationRecord op) {
        var hash = new LinkedHashMap<String, String>();
        put(hash, "id", op.id());
        put(hash, "vm_id", op.vmId());
        put(hash, "project", op.project());
        put(hash, "kind", op.kind());
        put(hash, "state", op.state());
        put(hash, "error_code", op.errorCode());
        put(hash, "error_message", op.errorMessage());
        put(hash, "created_at", string(op.createdAt()));
        put(hash, "updated_at", string(op.updatedAt()));
        put(hash, "steps", op.steps().isEmpty() ? null : Json.writeString(op.steps().stream().map(StoredStep::of)
                .toList()));
        return hash;
    }

    static OperationRecord operationFromHash(String operationId, Map<String, String> hash) {
        return new OperationRecord(operationId, hash.get("vm_id"), hash.get("project"), hash.get("kind"),
                hash.get("state"), hash.get("error_code"), hash.get("error_message"),
                instant(hash.get("created_at")), instant(hash.get("updated_at")), steps(hash.get("steps")));
    }

    /**
     * The {@code steps} field: a JSON array the scripts append to ({@code [{"name", "state", "host", "at"}]}, host
     * absent when unknown). Absent or unreadable, no steps: the operation itself is still worth showing.
     */
    static List<OperationRecord.Step> steps(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            StoredStep[] stored = Json.read(json, StoredStep[].class);
            var steps = new ArrayList<OperationRecord.Step>(stored.length);
            for (StoredStep step : stored) {
                if (step != null && step.name() != null) {
                    steps.add(new OperationRecord.Step(step.name(), emptyToNull(step.state()),
                            emptyToNull(step.host()), step.at() == null ? null : instant(step.at())));
                }
            }
            return steps;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** A step as the scripts write it (Lua's cjson knows no instants). */
    record StoredStep(String name, String state, String host, String at) {
        static StoredStep of(OperationRecord.Step step) {
            return new StoredStep(step.name(), step.state(), step.host(), string(step.at()));
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** An operation that has not ended keeps its VM in the active set. */
    static boolean active(OperationRecord op) {
        return "pending".equals(op.state()) || "running".equals(op.state());
    }

    /**
     * The {@code apply} script's ARGV, in order: version, generation, status, host, reason, message, domain XML,
     * updated-at, VM id, operation key prefix. An empty string stands for null.
     */
    static List<String> applyArgs(VmEvent event, Instant now) {
        var args = new ArrayList<String>(10);
        args.add(Long.toString(event.version()));
        args.add(Long.toString(event.generation()));
        args.add(event.status() == null ? "" : event.status().wire());
        args.add(orEmpty(event.host()));
        args.add(event.reason() == null ? "" : event.reason().name());
        args.add(orEmpty(event.message()));
        args.add(orEmpty(event.domainXml()));
        args.add((event.at() == null ? now : event.at()).toString());
        args.add(event.vmId());
        args.add(RedisKeys.OPERATION_PREFIX);
        return args;
    }

    /** A flat {@code [field, value, field, value, …]} reply (HGETALL inside a script) as a map. */
    static Map<String, String> pairs(List<?> flat) {
        var map = new LinkedHashMap<String, String>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return map;
    }

    /** A map as a flat {@code [field, value, …]} list. */
    static List<String> flatten(Map<String, String> hash) {
        var flat = new ArrayList<String>(hash.size() * 2);
        hash.forEach((field, value) -> {
            flat.add(field);
            flat.add(value);
        });
        return flat;
    }

    private static void put(Map<String, String> hash, String field, String value) {
        if (value != null) {
            hash.put(field, value);
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String string(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    private static long number(String text) {
        return text == null ? 0 : Long.parseLong(text);
    }
}
