package io.vmplane.worker.hosts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.Claim;
import io.vmplane.store.HostRecord;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.worker.config.WorkerProperties;
import io.vmplane.worker.kafka.JsonRecords;
import io.vmplane.worker.kafka.KafkaPublisher;
import io.vmplane.worker.kafka.UnreadableRecordException;
import io.vmplane.worker.placement.HostLimits;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Materialises host inventories and heartbeats into the shared host registry. Inventories go to one worker of the
 * group {@code host-registry}; heartbeats to every worker (see {@link #onHeartbeat}).
 * <p>
 * An inventory whose {@code boot_id} differs from the stored one comes from a new libvirt connection: a VM the
 * ledger places on that host, {@code running} or {@code stopped}, whose domain the inventory does not list was lost
 * with the host's libvirt state (a test-driver host forgets its domains). Such a VM gets a {@code failed}
 * {@code HOST_LOST} event of phase OBSERVED; the event consumer applies it and releases the claim. A VM still
 * {@code provisioning} is left alone: the agent replays its command; so is one whose state was reported after the
 * inventory was taken (the replayed command made its domain since; the inventory may be read late).
 */
public class HostRegistryListener {

    public static final String GROUP = "host-registry";

    private static final Logger log = LoggerFactory.getLogger(HostRegistryListener.class);

    static final String LOST_MESSAGE =
            "the host lost the VM's domain: its libvirt state did not survive the agent's restart";

    private final HostRegistry registry;
    private final VmStore vms;
    private final CapacityLedger ledger;
    private final KafkaPublisher publisher;
    private final String instanceId;
    private final double cpuOvercommit;
    private final double memoryOvercommit;
    private final Duration storeTimeout;
    private final Clock clock;

    public HostRegistryListener(HostRegistry registry, VmStore vms, CapacityLedger ledger, KafkaPublisher publisher,
                                WorkerProperties properties, Clock clock) {
        this.registry = registry;
        this.vms = vms;
        this.ledger = ledger;
        this.publisher = publisher;
        this.instanceId = properties.instanceId();
        this.cpuOvercommit = properties.cpuOvercommit();
        this.memoryOvercommit = properties.memoryOvercommit();
        this.storeTimeout = properties.storeTimeout();
        this.clock = clock;
    }

    /**
     * Heartbeats, read by every worker in a group of its own: were they shared out in the worker group, the
     * heartbeats on a dead worker's partitions would wait for the group to notice (the session timeout, longer than
     * the heartbeat timeout) and their hosts would read unreachable meanwhile, failing placements with
     * {@code NO_VALID_HOST} while every host is up. The registry keeps the latest heartbeat whoever writes it. A
     * new instance reads from the topic's start (an hour of retention), so no heartbeat sent while its group forms
     * is missed.
     */
    @KafkaListener(id = "host-heartbeats", topics = Topics.HOST_HEARTBEATS,
            groupId = "host-heartbeats.${vmplane.worker.instance-id:worker-1}",
            properties = "auto.offset.reset=earliest")
    public void onHeartbeat(ConsumerRecord<String, byte[]> record) {
        onRecord(record);
    }

    /** Inventories (group {@value #GROUP}): each is handled by one worker, as a new boot may fail lost VMs. */
    @KafkaListener(id = "host-registry", topics = Topics.HOST_INVENTORY, groupId = GROUP)
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
            String previousBootId = previousBootId(inventory.hostId());
            if (previousBootId != null && inventory.bootId() != null && !previousBootId.equals(inventory.bootId())) {
                // before the inventory is stored: if this fails, the redelivered record still sees the old boot
                failLostVms(inventory);
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

    private String previousBootId(String hostId) {
        HostRecord previous = registry.host(hostId).block(storeTimeout);
        return previous == null ? null : previous.inventory().bootId();
    }

    /**
     * Fails, with an OBSERVED {@code HOST_LOST} event, each VM claimed on the host that ran or was stopped there and
     * whose domain the new connection's inventory does not list.
     */
    private void failLostVms(HostInventory inventory) {
        String hostId = inventory.hostId();
        List<String> domains = inventory.domains() == null ? List.of() : inventory.domains();
        List<Claim> claims = ledger.claims(hostId).collectList().block(storeTimeout);
        log.info("Host {} reconnected to libvirt (boot {}): checking {} claimed VMs against its {} domains", hostId,
                inventory.bootId(), claims == null ? 0 : claims.size(), domains.size());
        for (Claim claim : claims == null ? List.<Claim>of() : claims) {
            if (domains.contains(claim.vmId())) {
                continue;
            }
            VmRecord vm = vms.get(claim.vmId()).block(storeTimeout);
            boolean settled = vm != null && (vm.status() == VmStatus.RUNNING || vm.status() == VmStatus.STOPPED);
            if (!settled || (vm.host() != null && !hostId.equals(vm.host()))) {
                continue;
            }
            if (inventory.at() != null && vm.updatedAt() != null && vm.updatedAt().isAfter(inventory.at())) {
                // reported after this inventory was taken (a command the new agent replayed created the domain
                // since): the inventory is older than the VM's state, not evidence against it
                continue;
            }
            Instant now = clock.instant();
            publisher.publish(new VmEvent(vm.id(), vm.generation(),
                    VmEvent.version(vm.generation(), VmEvent.Phase.OBSERVED), VmStatus.FAILED, hostId,
                    FailureCode.HOST_LOST, LOST_MESSAGE, null, now, instanceId));
            log.info("VM {} ({}) failed: host {} lost its domain when its agent reconnected to libvirt", vm.id(),
                    vm.status().wire(), hostId);
        }
    }
}
