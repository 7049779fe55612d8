package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/** Two workers in one consumer group place VMs at once on the same host: the ledger never lets them overcommit. */
class TwoWorkersIT {

    private static RunningWorker worker;
    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void startTwoWorkers() {
        worker = RunningWorker.get();
        second = RunningWorker.startWorker("it-worker-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> assigned(worker.context) && assigned(second));
    }

    @AfterAll
    static void stopSecondWorker() {
        second.close();
    }

    @Test
    void shouldPlaceNoMoreVmsThanTheHostHoldsWhenWorkersRace() {
        // Given: a host with room for 4 single-vCPU VMs (1 CPU × overcommit 4.0), and 9 such VMs
        String pool = unique("pool");
        String hostId = unique("host");
        worker.registerHost(host(hostId, pool, 1, 65536));
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.registered(hostId));
        List<VmCommand.CreateVm> commands = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            commands.add(worker.pendingVm(vm("race-" + i, pool, 1, 1024)));
        }

        // When: the commands spread over the topic's partitions, so both workers handle some
        worker.publishAtOnce(commands);

        // Then
        List<VmRecord> vms = await().atMost(Duration.ofSeconds(60)).until(
                () -> commands.stream().map(c -> worker.vm(c.vmId())).toList(),
                list -> list.stream().allMatch(v -> v.status() != VmStatus.PENDING));
        Map<VmStatus, Long> byStatus = vms.stream()
                .collect(Collectors.groupingBy(VmRecord::status, Collectors.counting()));
        assertThat(byStatus).containsEntry(VmStatus.PROVISIONING, 4L).containsEntry(VmStatus.FAILED, 5L);
        assertThat(vms).filteredOn(v -> v.status() == VmStatus.FAILED)
                .allSatisfy(v -> assertThat(v.reason()).isEqualTo(FailureCode.NO_VALID_HOST));
        assertThat(worker.stores.ledger().usage(hostId).block(Duration.ofSeconds(5)).vcpus()).isEqualTo(4);
    }

    private static boolean assigned(ConfigurableApplicationContext context) {
        MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
                .getListenerContainer("vm-commands");
        return container != null && container.getAssignedPartitions() != null
                && !container.getAssignedPartitions().isEmpty();
    }
}
