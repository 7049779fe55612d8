package io.vmplane.store.redis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Every Redis key the state store uses, in one place. All keys start with {@code vmplane:}. The keys of one host
 * share the hash tag {@code {hostId}}, so a host's ledger stays in one slot should the store ever move to a cluster.
 */
final class RedisKeys {

    static final String PREFIX = "vmplane:";

    /** Prefix of an operation hash; the Lua script of {@code apply} appends the operation id to it. */
    static final String OPERATION_PREFIX = PREFIX + "op:";

    /** Sorted set of every VM id, scored by creation time (epoch milliseconds). */
    static final String ALL_VMS = PREFIX + "vms";

    /**
     * Prefix of a project's sorted set of VM ids (scored like {@link #ALL_VMS}); the project follows unencoded, as
     * the last part of the key (the {@code apply} script builds it the same way).
     */
    static final String PROJECT_VMS_PREFIX = PREFIX + "vms:project:";

    /** Set of the ids of VMs whose latest operation has not ended. */
    static final String ACTIVE_VMS = PREFIX + "vms:active";

    /** Set of every host id that published an inventory. */
    static final String HOSTS = PREFIX + "hosts";

    private RedisKeys() {
    }

    static String vm(String vmId) {
        return PREFIX + "vm:" + vmId;
    }

    static String projectVms(String project) {
        return PROJECT_VMS_PREFIX + project;
    }

    static String operation(String operationId) {
        return OPERATION_PREFIX + operationId;
    }

    /**
     * An idempotency key, scoped by project. Both parts are URL-encoded so that a {@code :} in either cannot make two
     * different pairs collide.
     */
    static String idempotency(String project, String key) {
        return PREFIX + "idem:" + encode(project) + ":" + encode(key);
    }

    static String host(String hostId) {
        return PREFIX + "host:" + tag(hostId);
    }

    /** Hash: VM id → claim JSON. */
    static String claims(String hostId) {
        return PREFIX + "ledger:" + tag(hostId) + ":claims";
    }

    /** Hash of running sums: {@code vcpus}, {@code memory_mib}, {@code pool:<name>} (bytes). */
    static String usage(String hostId) {
        return PREFIX + "ledger:" + tag(hostId) + ":usage";
    }

    /** Hash: PCI address → the VM holding it. */
    static String pci(String hostId) {
        return PREFIX + "ledger:" + tag(hostId) + ":pci";
    }

    /** String: the host a VM holds its claim on. */
    static String claimOf(String vmId) {
        return PREFIX + "claim-of:" + vmId;
    }

    /** String: when re-drive number {@code n} of the VM's generation happened (see {@code RedisRedriveLog}). */
    static String redrive(String vmId, long generation, int n) {
        return PREFIX + "redrive:" + vmId + ":" + generation + ":" + n;
    }

    private static String tag(String hostId) {
        return "{" + hostId + "}";
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
