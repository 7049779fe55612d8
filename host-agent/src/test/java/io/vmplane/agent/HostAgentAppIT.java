package io.vmplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import io.vmplane.agent.kafka.TopicSetup;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;
import io.vmplane.testsupport.SharedInfra;

/** The agent application against real Kafka and a simulated host, driven only through its topics. */
class HostAgentAppIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final String hostId = "sim-it-" + UUID.randomUUID().toString().substring(0, 8);
    private String bootstrap;
    private String libvirtUri;
    private KafkaProducer<String, byte[]> producer;
    private int partitions;
    private ConfigurableApplicationContext agent;

    @BeforeEach
    void infrastructure() {
        bootstrap = SharedInfra.kafka().bootstrapServers();
        libvirtUri = Libvirt.testUri(Libvirt.writeSimulatedHost(dir, hostId, true));
        partitions = TopicSetup.ensureTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        producer.close();
    }

    @Test
    void shouldProvisionCommandSentWhileTheAgentWasDownOnceItStarts() throws Exception {
        // Given a gpu-vm command for this host, and one for another host sharing its partition, sent before the
        // agent runs
        String vmId = VmIds.newVmId();
        String strangerVmId = VmIds.newVmId();
        send(hostId, provision(hostId, vmId));
        send(otherHostOnTheSamePartition(), provision(otherHostOnTheSamePartition(), strangerVmId));

        // When the agent starts
        agent = startAgent();

        // Then it runs our command, reports the VM running with its live XML, and leaves the other host's alone
        try (var events = new TopicTail<>(bootstrap, Topics.VM_EVENTS, VmEvent.class);
             var inventories = new TopicTail<>(bootstrap, Topics.HOST_INVENTORY, HostInventory.class);
             var heartbeats = new TopicTail<>(bootstrap, Topics.HOST_HEARTBEATS, HostHeartbeat.class)) {
            VmEvent running = await().atMost(WAIT).until(
                    () -> events.poll(e -> vmId.equals(e.vmId()) && e.status() == VmStatus.RUNNING),
                    found -> !found.isEmpty()).get(0);
            assertThat(running.host()).isEqualTo(hostId);
            assertThat(running.source()).isEqualTo("agent:" + hostId);
            assertThat(running.domainXml()).contains("<address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/>");
            assertThat(events.poll(e -> vmId.equals(e.vmId()))).extracting(VmEvent::status)
                    .containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING);
            HostInventory inventory = await().atMost(WAIT).until(
                    () -> inventories.poll(i -> hostId.equals(i.hostId()) && i.pciDevices().stream()
                            .anyMatch(HostInventory.PciDevice::inUse)),
                    found -> !found.isEmpty()).get(0);
            assertThat(inventory.hypervisor()).isEqualTo("test");
            assertThat(inventory.vcpus()).isEqualTo(32);
            assertThat(inventory.storagePools()).extracting(HostInventory.Pool::name)
                    .containsExactlyInAnyOrder("default", "fast", "bulk");
            await().atMost(WAIT).until(() -> heartbeats.poll(h -> hostId.equals(h.hostId())
                    && h.status() == HostHeartbeat.HostStatus.UP), found -> !found.isEmpty());
            assertThat(events.poll(e -> strangerVmId.equals(e.vmId()))).isEmpty();
        }
        assertThat(health()).contains("\"UP\"");
    }

    @Test
    void shouldNotRunACommittedCommandAgainAfterARestart() {
        // Given a command carried out by an agent that then stopped
        String first = VmIds.newVmId();
        agent = startAgent();
        send(hostId, provision(hostId, first));
        try (var events = new TopicTail<>(bootstrap, Topics.VM_EVENTS, VmEvent.class)) {
            awaitRunning(events, first);
            agent.close();

            // When the agent starts again and a new command arrives
            String second = VmIds.newVmId();
            agent = startAgent();
            send(hostId, provision(hostId, second));

            // Then only the new command runs
            awaitRunning(events, second);
            assertThat(events.poll(e -> first.equals(e.vmId()))).extracting(VmEvent::status)
                    .containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING);
        }
    }

    @Test
    void shouldStopAndDeleteAVmThroughItsPartitionAndFreeItsGpu() {
        // Given a running gpu-vm
        String vmId = VmIds.newVmId();
        agent = startAgent();
        send(hostId, provision(hostId, vmId));
        try (var events = new TopicTail<>(bootstrap, Topics.VM_EVENTS, VmEvent.class);
             var inventories = new TopicTail<>(bootstrap, Topics.HOST_INVENTORY, HostInventory.class)) {
            awaitRunning(events, vmId);
            Instant running = Instant.now();

            // When it is stopped at once, then deleted with its volumes
            Instant deadline = Instant.now().plus(10, ChronoUnit.MINUTES);
            send(hostId, new HostCommand.StopDomain("cmd-stop", hostId, vmId, 2, 30, true, deadline));
            send(hostId, new HostCommand.DeleteDomain("cmd-delete", hostId, vmId, 3, true, deadline));

            // Then the agent reports each final state, and its inventory shows the GPU free and the disk gone
            await().atMost(WAIT).until(() -> events.poll(e -> vmId.equals(e.vmId())
                    && e.status() == VmStatus.DELETED), found -> !found.isEmpty());
            assertThat(events.poll(e -> vmId.equals(e.vmId()))).extracting(VmEvent::status)
                    .containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING, VmStatus.STOPPED, VmStatus.DELETED);
            await().atMost(WAIT).until(() -> inventories.poll(i -> hostId.equals(i.hostId())
                    && i.pciDevices().stream().noneMatch(HostInventory.PciDevice::inUse)
                    && i.storagePools().stream().noneMatch(p -> p.volumes().contains(vmId + "-disk0.qcow2"))
                    && i.at().isAfter(running)), found -> !found.isEmpty());
        }
    }

    private void awaitRunning(TopicTail<VmEvent> events, String vmId) {
        await().atMost(WAIT).until(() -> events.poll(e -> vmId.equals(e.vmId()) && e.status() == VmStatus.RUNNING),
                found -> !found.isEmpty());
    }

    private ConfigurableApplicationContext startAgent() {
        return HostAgentApplication.application().run(
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--server.port=0",
                "--vmplane.agent.host-id=" + hostId,
                "--vmplane.agent.libvirt-uri=" + libvirtUri,
                "--vmplane.agent.stack-id=it-app",
                "--vmplane.agent.heartbeat-interval=500ms");
    }

    private String health() throws Exception {
        String port = agent.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private void send(String host, HostCommand command) {
        try {
            producer.send(new ProducerRecord<>(Topics.HOST_COMMANDS, Topics.hostPartition(host, partitions), host,
                    Json.write(command))).get();
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot send the command", e);
        }
    }

    private String otherHostOnTheSamePartition() {
        int ours = Topics.hostPartition(hostId, partitions);
        for (int i = 0; ; i++) {
            String other = hostId + "-other-" + i;
            if (Topics.hostPartition(other, partitions) == ours) {
                return other;
            }
        }
    }

    private static HostCommand.ProvisionVm provision(String host, String vmId) {
        VmSpec gpuVm = new VmSpec("gpu-vm", 8192, 4, new StorageSpec("default", "ubuntu.iso", List.of(
                new DiskSpec(DiskSpec.Action.CREATE, 40L, "default", null, DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO))),
                List.of(new PciDeviceSpec(null, "10de", "1eb8")), GraphicsSpec.DEFAULT, null);
        return new HostCommand.ProvisionVm("cmd-" + vmId, host, vmId, 1, gpuVm, List.of("0000:3b:00.0"),
                Instant.now().plus(10, ChronoUnit.MINUTES));
    }
}
