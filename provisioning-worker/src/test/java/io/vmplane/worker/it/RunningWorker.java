package io.vmplane.worker.it;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmRecord;
import io.vmplane.testsupport.SharedInfra;
import io.vmplane.worker.WorkerApplication;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One worker per test JVM, run in-process against the shared real Kafka and Redis, plus what the tests need around
 * it: their own state-store connection, a producer standing in for the gateway and the agents, and fixtures. Tests
 * keep out of each other's way by giving every host a storage pool of their own, which no other test's VM needs.
 */
final class RunningWorker {

    static final long GIB = 1L << 30;

    private static RunningWorker instance;

    final ConfigurableApplicationContext context;
    final StateStores stores;
    final KafkaProducer<String, byte[]> producer;
    final String bootstrapServers;

    private RunningWorker() {
        bootstrapServers = SharedInfra.kafka().bootstrapServers();
        String redisUri = SharedInfra.redis().uri();
        context = startWorker("it-worker");
        stores = StateStores.connect(redisUri);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            producer.close(Duration.ofSeconds(2));
            stores.close();
            context.close();
        }, "running-worker-stop"));
    }

    /** Starts a worker instance in this JVM against the shared Kafka and Redis. */
    static ConfigurableApplicationContext startWorker(String instanceId) {
        return SpringApplication.run(WorkerApplication.class,
                "--spring.kafka.bootstrap-servers=" + SharedInfra.kafka().bootstrapServers(),
                "--vmplane.redis.uri=" + SharedInfra.redis().uri(),
                "--vmplane.worker.instance-id=" + instanceId,
                "--vmplane.worker.heartbeat-timeout=10m",
                "--vmplane.worker.sweep-interval=300ms",
                // Tests drive the re-drive with their own clock (RedriveIT); the schedule must not add commands.
                "--vmplane.worker.stall-after=1h",
                "--vmplane.worker.retry-backoff=50ms",
                "--server.port=0");
    }

    static synchronized RunningWorker get() {
        if (instance == null) {
            instance = new RunningWorker();
        }
        return instance;
    }

    int httpPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** Sends a record and waits for its acknowledgement. */
    RecordMetadata send(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record).get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot send to " + record.topic(), e);
        }
    }

    RecordMetadata send(String topic, String key, Object value) {
        return send(new ProducerRecord<>(topic, key, Json.write(value)));
    }

    /** Registers a host as its agent would: an inventory, then a heartbeat. */
    void registerHost(HostInventory inventory) {
        send(Topics.HOST_INVENTORY, inventory.hostId(), inventory);
        send(Topics.HOST_HEARTBEATS, inventory.hostId(),
                new HostHeartbeat(inventory.hostId(), HostHeartbeat.HostStatus.UP, Instant.now()));
    }

    boolean registered(String hostId) {
        var host = stores.hosts().host(hostId).block(Duration.ofSeconds(5));
        return host != null && host.lastHeartbeat() != null;
    }

    /** Records a VM pending, as the gateway does before it publishes the command. */
    VmCommand.CreateVm pendingVm(VmSpec spec, Instant deadline) {
        String vmId = VmIds.newVmId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String operationId = VmIds.operationIdFor(vmId, 1);
        var vm = new VmRecord(vmId, spec.name(), "it", "tester", VmStatus.PENDING, null, null, null, spec, null, 1,
                VmEvent.version(1, VmEvent.Phase.ACCEPTED), operationId, deadline, now, now);
        var operation = new OperationRecord(operationId, vmId, "it", "create", "pending", null, null, now, now);
        stores.vms().createPending(vm, operation).block(Duration.ofSeconds(5));
        return new VmCommand.CreateVm("cmd-" + UUID.randomUUID(), vmId, 1, operationId, "it", "tester", spec,
                deadline, now);
    }

    VmCommand.CreateVm pendingVm(VmSpec spec) {
        return pendingVm(spec, Instant.now().plus(Duration.ofMinutes(10)));
    }

    void publish(VmCommand.CreateVm command) {
        send(new ProducerRecord<>(Topics.VM_COMMANDS, command.vmId(),
                Json.MAPPER.writerFor(VmCommand.class).writeValueAsBytes(command)));
    }

    /** Publishes commands back to back without waiting for each acknowledgement, then flushes. */
    void publishAtOnce(List<VmCommand.CreateVm> commands) {
        commands.forEach(c -> producer.send(new ProducerRecord<>(Topics.VM_COMMANDS, c.vmId(),
                Json.MAPPER.writerFor(VmCommand.class).writeValueAsBytes(c))));
        producer.flush();
    }

    VmRecord vm(String vmId) {
        return stores.vms().get(vmId).block(Duration.ofSeconds(5));
    }

    /** A host with one storage pool, named after the test so that only the test's own VMs fit there. */
    static HostInventory host(String id, String pool, int cpus, long memoryMib) {
        return new HostInventory(id, "test", "127.0.0.1", false, cpus, memoryMib,
                List.of(new HostInventory.Pool(pool, true, 1000 * GIB, 1000 * GIB, List.of("ubuntu.iso"))),
                List.of(), Instant.now());
    }

    /** A VM whose disk goes to {@code pool}. */
    static VmSpec vm(String name, String pool, int vcpus, int memoryMib) {
        return new VmSpec(name, memoryMib, vcpus, new StorageSpec(pool, "ubuntu.iso", List.of(
                new DiskSpec(DiskSpec.Action.CREATE, 10L, pool, null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO))),
                List.of(), null, null);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
