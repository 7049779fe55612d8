package io.vmplane.worker.it;

import static io.vmplane.worker.it.RunningWorker.host;
import static io.vmplane.worker.it.RunningWorker.unique;
import static io.vmplane.worker.it.RunningWorker.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.Claim;
import io.vmplane.store.VmRecord;
import io.vmplane.worker.kafka.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What ends a VM or a record: poison commands, failed events, passed deadlines; and the worker's health. */
class FailuresIT {

    private static RunningWorker worker;
    private static TopicTail deadLetters;

    @BeforeAll
    static void startWorker() {
        worker = RunningWorker.get();
        deadLetters = new TopicTail(worker.bootstrapServers, Topics.DEAD_LETTERS);
    }

    @AfterAll
    static void closeTail() {
        deadLetters.close();
    }

    @Test
    void shouldDeadLetterAnUnreadableCommandAndGoOnWithTheNext() {
        // Given: a VM whose command arrives as broken JSON, then a good command on the same partition
        String pool = unique("pool");
        registerHost(pool);
        VmCommand.CreateVm poisoned = worker.pendingVm(vm("poisoned", pool, 1, 1024));
        VmCommand.CreateVm next = worker.pendingVm(vm("next", pool, 1, 1024));
        byte[] garbage = "{\"type\": \"create_vm\", \"vm_id\": ".getBytes(StandardCharsets.UTF_8);

        // When
        RecordMetadata poison = worker.send(new ProducerRecord<>(Topics.VM_COMMANDS, 0, poisoned.vmId(), garbage));
        worker.send(new ProducerRecord<>(Topics.VM_COMMANDS, 0, next.vmId(),
                Json.MAPPER.writerFor(VmCommand.class).writeValueAsBytes(next)));

        // Then
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(20)).until(
                () -> deadLetters.records(r -> poisoned.vmId().equals(r.key())), list -> !list.isEmpty()).get(0);
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo(DeadLetters.UNREADABLE);
        assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.VM_COMMANDS);
        assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo(Long.toString(poison.offset()));
        assertThat(header(dead, DeadLetters.ERROR)).contains("UnreadableRecordException");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VmRecord vm = worker.vm(poisoned.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.FAILED);
            assertThat(vm.reason()).isEqualTo(FailureCode.INVALID_COMMAND);
            assertThat(worker.vm(next.vmId()).status()).isEqualTo(VmStatus.PROVISIONING);
        });
    }

    @Test
    void shouldDeadLetterACommandForAVmTheStoreNeverRecorded() {
        // Given: a well-formed command whose VM the gateway never recorded
        String pool = unique("pool");
        registerHost(pool);
        VmCommand.CreateVm recorded = worker.pendingVm(vm("recorded", pool, 1, 1024));
        VmCommand.CreateVm unknown = new VmCommand.CreateVm("cmd-unknown", io.vmplane.schemas.vm.VmIds.newVmId(), 1,
                "op-unknown", "it", "tester", recorded.spec(), recorded.deadline(), recorded.createdAt());

        // When
        worker.publish(unknown);

        // Then
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(20)).until(
                () -> deadLetters.records(r -> unknown.vmId().equals(r.key())), list -> !list.isEmpty()).get(0);
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo(DeadLetters.REJECTED);
        assertThat(header(dead, DeadLetters.ERROR)).contains("is not in the state store");
        assertThat(claimOf(unknown.vmId())).isEmpty();
    }

    @Test
    void shouldReleaseTheClaimOfAVmThatFailed() {
        // Given: a VM placed on a host
        String pool = unique("pool");
        String hostId = registerHost(pool);
        VmCommand.CreateVm command = worker.pendingVm(vm("doomed", pool, 2, 2048));
        worker.publish(command);
        await().atMost(Duration.ofSeconds(20)).until(() -> claimOf(command.vmId()).isPresent());

        // When: its agent reports the failure
        worker.send(Topics.VM_EVENTS, command.vmId(), VmEvent.failed(command.vmId(), 1, hostId,
                FailureCode.LIBVIRT_ERROR, "libvirt said no", "agent:" + hostId));

        // Then
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(claimOf(command.vmId())).isEmpty();
            assertThat(worker.vm(command.vmId()).reason()).isEqualTo(FailureCode.LIBVIRT_ERROR);
        });
        assertThat(worker.stores.ledger().usage(hostId).block(Duration.ofSeconds(5)).vcpus()).isZero();
    }

    @Test
    void shouldFailWithTimeoutAVmWhoseDeadlinePassedWhilePending() {
        // Given: a VM accepted, whose command never reaches a worker
        VmCommand.CreateVm lost = worker.pendingVm(vm("forgotten", unique("pool"), 1, 1024),
                Instant.now().plusMillis(500));

        // When: the deadline passes; the sweep runs every 300 ms in this test

        // Then
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VmRecord vm = worker.vm(lost.vmId());
            assertThat(vm.status()).isEqualTo(VmStatus.FAILED);
            assertThat(vm.reason()).isEqualTo(FailureCode.TIMEOUT);
        });
    }

    @Test
    void shouldReportHealthUpOnItsServerPort() throws Exception {
        // When
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + worker.httpPort() + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");
    }

    private static String registerHost(String pool) {
        String hostId = unique("host");
        worker.registerHost(host(hostId, pool, 8, 16384));
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.registered(hostId));
        return hostId;
    }

    private static Optional<Claim> claimOf(String vmId) {
        return worker.stores.ledger().claimOf(vmId).block(Duration.ofSeconds(5));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
