package io.vmplane.worker.hosts;

import java.time.Duration;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.store.HostRegistry;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.kafka.JsonRecords;
import io.vmplane.worker.kafka.UnreadableRecordException;
import io.vmplane.worker.placement.HostLimits;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Materialises host inventories and heartbeats into the shared host registry (group {@code host-registry}). With
 * several workers in the group each record is handled by one of them, which is enough: the registry is shared.
 */
public class HostRegistryListener {

    public static final String GROUP = "host-registry";

    private static final Logger log = LoggerFactory.getLogger(HostRegistryListener.class);

    private final HostRegistry registry;
    private final double cpuOvercommit;
    private final double memoryOvercommit;
    private final Duration storeTimeout;

    public HostRegistryListener(HostRegistry registry, WorkerProperties properties) {
        this.registry = registry;
        this.cpuOvercommit = properties.cpuOvercommit();
        this.memoryOvercommit = properties.memoryOvercommit();
        this.storeTimeout = properties.storeTimeout();
    }

    @KafkaListener(id = "host-registry", topics = {Topics.HOST_INVENTORY, Topics.HOST_HEARTBEATS}, groupId = GROUP)
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null && Topics.HOST_INVENTORY.equals(record.topic())) {
            // A compaction tombstone: the registry keeps the host until its heartbeats say otherwise.
            return;
        }
        if (Topics.HOST_INVENTORY.equals(record.topic())) {
            HostInventory inventory = JsonRecords.read(record.value(), HostInventory.class);
            if (inventory.hostId() == null) {
                throw new UnreadableRecordException("the inventory lacks host_id");
            }
            HostLimits limits = HostLimits.of(inventory, cpuOvercommit, memoryOvercommit);
            registry.putInventory(inventory, limits.vcpuLimit(), limits.memoryLimitMib()).block(storeTimeout);
            log.info("Inventory of {}: {} CPUs, {} MiB (limits {} vCPUs, {} MiB), {} pools, {} PCI devices",
                    inventory.hostId(), inventory.vcpus(), inventory.memoryMib(), limits.vcpuLimit(),
                    limits.memoryLimitMib(), inventory.storagePools().size(), inventory.pciDevices().size());
        }
        else {
            HostHeartbeat heartbeat = JsonRecords.read(record.value(), HostHeartbeat.class);
            if (heartbeat.hostId() == null) {
                throw new UnreadableRecordException("the heartbeat lacks host_id");
            }
            registry.heartbeat(heartbeat).block(storeTimeout);
        }
    }
}
