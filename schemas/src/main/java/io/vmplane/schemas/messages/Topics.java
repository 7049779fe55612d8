package io.vmplane.schemas.messages;

/**
 * Kafka topic names. The major version of a topic's message type is part of its name; within a version only
 * optional fields are added and readers ignore unknown fields. See {@code schemas/DESIGN.md} for keys and
 * partitioning.
 */
public final class Topics {

    /** {@link VmCommand}s from the gateway to the provisioning workers (one consumer group). Key: VM id. */
    public static final String VM_COMMANDS = "vm.commands.v1";

    /**
     * {@link HostCommand}s from the workers to host agents. Key: host id; the partition is
     * {@link #hostPartition(String, int)}, so each agent reads one partition and skips other hosts' records.
     */
    public static final String HOST_COMMANDS = "host.commands.v1";

    /** {@link VmEvent}s from workers and agents; the state store applies them in version order. Key: VM id. */
    public static final String VM_EVENTS = "vm.events.v1";

    /** {@link HostInventory}, compacted: the latest inventory of every host. Key: host id. */
    public static final String HOST_INVENTORY = "host.inventory.v1";

    /** {@link HostHeartbeat}s. Key: host id. */
    public static final String HOST_HEARTBEATS = "host.heartbeats.v1";

    /**
     * How long {@link #HOST_HEARTBEATS} keeps its records ({@code retention.ms}): a heartbeat is worthless once the
     * heartbeat timeout has passed, and every worker reads the topic from its start when it first comes up.
     */
    public static final String HOST_HEARTBEATS_RETENTION_MS = "3600000";

    /** Commands that could not be read or applied after bounded retries. Key: as in the source topic. */
    public static final String DEAD_LETTERS = "vmplane.dead-letters.v1";

    /** Partitions of {@link #HOST_COMMANDS} created by default. */
    public static final int HOST_COMMAND_PARTITIONS = 16;

    private Topics() {
    }

    /** The partition of {@link #HOST_COMMANDS} that carries a host's commands: stable for a partition count. */
    public static int hostPartition(String hostId, int partitions) {
        return Math.floorMod(murmur(hostId), partitions);
    }

    private static int murmur(String s) {
        // A plain, stable string hash (FNV-1a), independent of the JVM's String.hashCode contract.
        int h = 0x811c9dc5;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x01000193;
        }
        return h;
    }
}
