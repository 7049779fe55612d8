package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.messages.VmEvent.Phase;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.Claim;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host whose agent reconnects to libvirt (a new {@code boot_id}) and no longer lists a VM's domain lost that VM:
 * a running or stopped VM claimed there is failed with {@code HOST_LOST} and its claim released; its create
 * operation keeps its outcome. A VM still provisioning, a repeated inventory and an inventory of the same boot are
 * left alone.
 */
class HostLostIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static RunningWorker worker;
    private static TopicTail vmEvents;

    @BeforeAll
    static void startWorker() {
        worker = RunningWorker.get();
        vmEvents = new TopicTail(worker.bootstrapServers, Topics.VM_EVENTS);
    }

    @AfterAll
    static void closeTail() {
        vmEvents.close();
    }

    @Test
    void shouldFailTheRunningVmsWhoseDomainsANewLibvirtConnectionLost() {
        // Given a host at boot A with two domains: one VM running there, one still provisioning, both claimed
        String hostId = unique("host");
        String pool = unique("pool");
        VmRecord running = vmOn(hostId, pool, VmStatus.RUNNING, Phase.FINAL);
        VmRecord provisioning = vmOn(hostId, pool, VmStatus.PROVISIONING, Phase.EXECUTING);
        publishInventory(inventory(hostId, pool, "boot-a", List.of(running.id(), provisioning.id())));

        // When the agent reconnects (boot B) and the host lists no domain
        publishInventory(inventory(hostId, pool, "boot-b", List.of()));

        // Then the running VM failed with HOST_LOST and gave its capacity back; its create still succeeded
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(worker.vm(running.id()).status()).isEqualTo(VmStatus.FAILED);
            assertThat(claimOf(running.id())).isEmpty();
        });
        VmRecord failed = worker.vm(running.id());
        assertThat(failed.reason()).isEqualTo(FailureCode.HOST_LOST);
        assertThat(failed.message()).contains("lost the VM's domain");
        assertThat(failed.version()).isEqualTo(VmEvent.version(running.generation(), Phase.OBSERVED));
        assertThat(operation(running).state()).isEqualTo("succeeded");
        assertThat(operation(running).errorCode()).isNull();
        // and the provisioning VM is untouched: the agent replays its command
        VmRecord stillProvisioning = worker.vm(provisioning.id());
        assertThat(stillProvisioning.status()).isEqualTo(VmStatus.PROVISIONING);
        assertThat(stillProvisioning.version()).isEqualTo(provisioning.version());
        assertThat(claimOf(provisioning.id())).isPresent();

        // When the same boot B reports again with no domain
        publishInventory(inventory(hostId, pool, "boot-b", List.of()));

        // Then nothing more happens: one HOST_LOST event in all, none for the provisioning VM
        assertThat(hostLostEventsUpTo(sentinel(running.id()), running.id())).isEqualTo(1);
        assertThat(hostLostEventsUpTo(sentinel(provisioning.id()), provisioning.id())).isZero();
        assertThat(worker.vm(running.id()).version()).isEqualTo(failed.version());
        assertThat(worker.vm(provisioning.id()).status()).isEqualTo(VmStatus.PROVISIONING);
        assertThat(claimOf(provisioning.id())).isPresent();
    }

    @Test
    void shouldLeaveTheVmsAloneWhenAnInventoryOfTheSameBootListsFewerDomains() {
        // Given a host at boot A with a running VM and a stopped VM, both claimed and listed
        String hostId = unique("host");
        String pool = unique("pool");
        VmRecord running = vmOn(hostId, pool, VmStatus.RUNNING, Phase.FINAL);
        VmRecord stopped = vmOn(hostId, pool, VmStatus.STOPPED, Phase.FINAL);
        publishInventory(inventory(hostId, pool, "boot-a", List.of(running.id(), stopped.id())));

        // When a periodic inventory of the same boot lists neither
        publishInventory(inventory(hostId, pool, "boot-a", List.of()));

        // Then no VM failed and both keep their claims
        assertThat(hostLostEventsUpTo(sentinel(running.id()), running.id())).isZero();
        assertThat(hostLostEventsUpTo(sentinel(stopped.id()), stopped.id())).isZero();
        assertThat(worker.vm(running.id()).status()).isEqualTo(VmStatus.RUNNING);
        assertThat(worker.vm(stopped.id()).status()).isEqualTo(VmStatus.STOPPED);
        assertThat(claimOf(running.id())).isPresent();
        assertThat(claimOf(stopped.id())).isPresent();
    }

    @Test
    void shouldLeaveAVmAloneWhoseStateWasReportedAfterTheNewBootsInventoryWasTaken() {
        // Given a host at boot A, whose new agent (boot B) took its inventory before the command it replayed created
        // a VM's domain and reported the VM running
        String hostId = unique("host");
        String pool = unique("pool");
        publishInventory(inventory(hostId, pool, "boot-a", List.of()));
        HostInventory takenEarlier = inventory(hostId, pool, "boot-b", List.of(), Instant.now().minusSeconds(5));
        VmRecord running = vmOn(hostId, pool, VmStatus.RUNNING, Phase.FINAL);

        // When the worker reads that inventory only now (it was late: a worker of its group had died)
        publishInventory(takenEarlier);

        // Then the VM keeps running and its claim: the inventory is older than its state
        assertThat(hostLostEventsUpTo(sentinel(running.id()), running.id())).isZero();
        assertThat(worker.vm(running.id()).status()).isEqualTo(VmStatus.RUNNING);
        assertThat(claimOf(running.id())).isPresent();
    }

    /** A VM of generation 1 on the host, at the given status and phase, with a claim there. */
    private static VmRecord vmOn(String hostId, String pool, VmStatus status, Phase phase) {
        VmSpec spec = vm("lost", pool, 1, 512);
        String vmId = VmIds.newVmId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String operationId = VmIds.operationIdFor(vmId, 1);
        var vm = new VmRecord(vmId, spec.name(), "it", "tester", VmStatus.PENDING, null, null, null, spec, null, 1,
                VmEvent.version(1, Phase.ACCEPTED), operationId, now.plus(Duration.ofMinutes(10)), now, now);
        var operation = new OperationRecord(operationId, vmId, "it", "create", "pending", null, null, now, now);
        worker.stores.vms().createPending(vm, operation).block(WAIT);
        worker.stores.vms().apply(VmEvent.of(vmId, 1, phase, status, hostId, "it")).block(WAIT);
        CapacityLedger.ClaimResult claimed = worker.stores.ledger().claim(
                new Claim(vmId, hostId, 1, 512, List.of(), Map.of(pool, 10L * RunningWorker.GIB)),
                64, 65536, Map.of(pool, 1000 * RunningWorker.GIB)).block(WAIT);
        assertThat(claimed.ok()).as("%s", claimed).isTrue();
        return worker.vm(vmId);
    }

    private static HostInventory inventory(String hostId, String pool, String bootId, List<String> domains) {
        return inventory(hostId, pool, bootId, domains, Instant.now());
    }

    private static HostInventory inventory(String hostId, String pool, String bootId, List<String> domains,
                                           Instant takenAt) {
        HostInventory base = RunningWorker.host(hostId, pool, 16, 32768);
        return new HostInventory(base.hostId(), base.hypervisor(), base.consoleAddress(), base.pinnedOnly(),
                base.vcpus(), base.memoryMib(), base.storagePools(), base.pciDevices(),
                takenAt.truncatedTo(ChronoUnit.MILLIS), bootId, domains);
    }

    /**
     * Publishes the inventory and waits until the registry holds it: the worker checks for lost VMs, and publishes
     * their events, before it stores an inventory.
     */
    private static void publishInventory(HostInventory inventory) {
        worker.send(Topics.HOST_INVENTORY, inventory.hostId(), inventory);
        await().atMost(WAIT).until(() -> {
            var host = worker.stores.hosts().host(inventory.hostId()).block(WAIT);
            return host != null && host.inventory().at().equals(inventory.at())
                    && inventory.bootId().equals(host.inventory().bootId());
        });
    }

    /**
     * Appends to the VM's partition of {@code vm.events} an event the store ignores (version 0), and returns its
     * source: every event published for the VM before it is read once it is.
     */
    private static String sentinel(String vmId) {
        String source = unique("sentinel");
        worker.send(Topics.VM_EVENTS, vmId, new VmEvent(vmId, 0, 0, VmStatus.PENDING, null, null, null, null,
                Instant.now(), source));
        return source;
    }

    /** The HOST_LOST events of the VM on {@code vm.events} up to the sentinel, once the sentinel was read. */
    private static long hostLostEventsUpTo(String sentinel, String vmId) {
        return await().atMost(WAIT).until(() -> {
            List<VmEvent> events = vmEvents.records(r -> vmId.equals(r.key())).stream()
                    .map(r -> Json.read(r.value(), VmEvent.class))
                    .toList();
            boolean sentinelSeen = events.stream().anyMatch(e -> sentinel.equals(e.source()));
            return sentinelSeen
                    ? Optional.of(events.stream().filter(e -> e.reason() == FailureCode.HOST_LOST).count())
                    : Optional.<Long>empty();
        }, Optional::isPresent).orElseThrow();
    }

    private static Optional<Claim> claimOf(String vmId) {
        return worker.stores.ledger().claimOf(vmId).block(WAIT);
    }

    private static OperationRecord operation(VmRecord vm) {
        return worker.stores.vms().operation(vm.operationId()).block(WAIT);
    }
}
