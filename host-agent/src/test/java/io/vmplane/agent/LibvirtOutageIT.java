package io.vmplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.vmplane.agent.kafka.TopicSetup;
import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.messages.HostCommand;
import io.vmplane.schemas.messages.Json;
import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmSpec;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.testsupport.Libvirt;
import io.vmplane.testsupport.SharedInfra;

/**
 * The agent on the real host ({@code qemu:///system}) while libvirtd is stopped and started again: the host turns
 * {@code degraded} and back {@code up} by itself, and a command sent meanwhile is not lost: it runs once libvirtd is
 * back, or, its deadline past, fails with {@code TIMEOUT} and leaves nothing behind. libvirtd is stopped through its
 * pid file and always started again (virtlogd keeps running): running guests of other stacks survive a libvirtd
 * restart, but their agents see the same outage, so it is kept to a few seconds.
 */
class LibvirtOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Path LIBVIRTD_PID = Path.of("/run/libvirtd.pid");
    private static final Path VIRTLOGD_PID = Path.of("/run/virtlogd.pid");

    private final String hostId = "qemu-out-" + UUID.randomUUID().toString().substring(0, 8);
    private final String stackId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private String bootstrap;
    private int partitions;
    private KafkaProducer<String, byte[]> producer;
    private ConfigurableApplicationContext agent;

    @BeforeEach
    void infrastructure() {
        Libvirt.ensureDaemons();
        Libvirt.ensureDefaultPool();
        bootstrap = SharedInfra.kafka().bootstrapServers();
        partitions = TopicSetup.ensureTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    @AfterEach
    void restoreLibvirtAndRemoveWhatTheTestMade() {
        try {
            Libvirt.ensureDaemons();
            if (agent != null) {
                agent.close();
            }
            producer.close();
        }
        finally {
            Libvirt.destroyDomainsOfStack(Libvirt.SYSTEM_URI, stackId);
        }
    }

    @Test
    void shouldReportDegradedWhileLibvirtdIsDownThenRecoverAndRunTheCommandsSentMeanwhileOnce() throws Exception {
        // Given the agent up on the real host
        agent = startAgent();
        try (var heartbeats = new TopicTail<>(bootstrap, Topics.HOST_HEARTBEATS, HostHeartbeat.class);
             var events = new TopicTail<>(bootstrap, Topics.VM_EVENTS, VmEvent.class);
             var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            awaitHeartbeat(heartbeats, HostStatus.UP, Instant.EPOCH);
            String late = VmIds.newVmId();
            String onTime = VmIds.newVmId();
            long virtlogd = pid(VIRTLOGD_PID);
            try {
                // When libvirtd stops
                Instant stopped = stopLibvirtd();

                // Then the host turns degraded, and commands sent now are not committed as done
                HostHeartbeat degraded = awaitHeartbeat(heartbeats, HostStatus.DEGRADED, stopped);
                System.out.printf("libvirtd stopped -> degraded heartbeat: %d ms%n",
                        Duration.between(stopped, degraded.at()).toMillis());
                long onTimeOffset = send(provision(onTime, Instant.now().plus(Duration.ofMinutes(5))));
                Instant lateDeadline = Instant.now().plusMillis(500);
                send(provision(late, lateDeadline));
                Instant sent = Instant.now();
                await().atMost(WAIT).until(() -> heartbeats.poll(h -> hostId.equals(h.hostId())
                        && h.status() == HostStatus.DEGRADED && h.at().isAfter(sent.plusMillis(900))).size() >= 2);
                assertThat(committed(admin)).as("committed offset").isLessThanOrEqualTo(onTimeOffset);
                assertThat(events.poll(e -> onTime.equals(e.vmId()) || late.equals(e.vmId()))).isEmpty();
                assertThat(Instant.now()).isAfter(lateDeadline);
            }
            finally {
                // When libvirtd is started again
                Libvirt.ensureDaemons();
            }
            Instant restarted = Instant.now();

            // Then the host is up again by itself, the command still in time ran once, the late one timed out
            HostHeartbeat up = awaitHeartbeat(heartbeats, HostStatus.UP, restarted);
            System.out.printf("libvirtd answering -> up heartbeat: %d ms%n",
                    Duration.between(restarted, up.at()).toMillis());
            await().atMost(WAIT).until(() -> events.poll(e -> onTime.equals(e.vmId())
                    && e.status() == VmStatus.RUNNING), found -> !found.isEmpty());
            await().atMost(WAIT).until(() -> events.poll(e -> late.equals(e.vmId())), found -> !found.isEmpty());
            assertThat(events.poll(e -> onTime.equals(e.vmId()))).extracting(VmEvent::status)
                    .containsExactly(VmStatus.PROVISIONING, VmStatus.RUNNING);
            assertThat(events.poll(e -> late.equals(e.vmId())))
                    .singleElement().satisfies(e -> {
                        assertThat(e.status()).isEqualTo(VmStatus.FAILED);
                        assertThat(e.reason()).isEqualTo(FailureCode.TIMEOUT);
                    });
            List<String> domains = Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "list", "--all", "--name").lines()
                    .map(String::strip).toList();
            assertThat(domains).containsOnlyOnce(onTime).doesNotContain(late);
            assertThat(Libvirt.virsh("-c", Libvirt.SYSTEM_URI, "domstate", onTime).strip()).isEqualTo("running");
            assertThat(pid(VIRTLOGD_PID)).as("virtlogd kept running").isEqualTo(virtlogd);
        }
    }

    private ConfigurableApplicationContext startAgent() {
        return HostAgentApplication.application().run(
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--server.port=0",
                "--vmplane.agent.host-id=" + hostId,
                "--vmplane.agent.libvirt-uri=" + Libvirt.SYSTEM_URI,
                "--vmplane.agent.stack-id=" + stackId,
                "--vmplane.agent.virt-type=qemu",
                "--vmplane.agent.heartbeat-interval=300ms",
                "--vmplane.agent.libvirt-retry-backoff=50ms",
                "--vmplane.agent.libvirt-breaker-open-duration=500ms",
                "--vmplane.agent.libvirt-call-timeout=10s");
    }

    /** Stops libvirtd by the pid in its pid file and waits until it is gone; guests keep running. */
    private static Instant stopLibvirtd() {
        ProcessHandle libvirtd = ProcessHandle.of(pid(LIBVIRTD_PID))
                .orElseThrow(() -> new IllegalStateException("libvirtd is not running"));
        Instant stopped = Instant.now();
        libvirtd.destroy();
        try {
            libvirtd.onExit().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (Exception e) {
            libvirtd.destroyForcibly();
        }
        return stopped;
    }

    private static long pid(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        }
        catch (IOException e) {
            throw new IllegalStateException("cannot read " + pidFile, e);
        }
    }

    private HostHeartbeat awaitHeartbeat(TopicTail<HostHeartbeat> heartbeats, HostStatus status, Instant after) {
        return await().atMost(WAIT).until(() -> heartbeats.poll(h -> hostId.equals(h.hostId())
                && h.status() == status && h.at().isAfter(after)), found -> !found.isEmpty()).get(0);
    }

    private long committed(Admin admin) throws Exception {
        TopicPartition partition = new TopicPartition(Topics.HOST_COMMANDS, Topics.hostPartition(hostId, partitions));
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("host-agent-" + hostId)
                .partitionsToOffsetAndMetadata().get();
        OffsetAndMetadata offset = offsets.get(partition);
        return offset == null ? 0 : offset.offset();
    }

    private long send(HostCommand command) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.HOST_COMMANDS, Topics.hostPartition(hostId, partitions),
                hostId, Json.write(command))).get().offset();
    }

    private HostCommand.ProvisionVm provision(String vmId, Instant deadline) {
        // a diskless 128 MiB guest booting the iPXE ISO: the quickest real VM
        VmSpec spec = new VmSpec("outage", 128, 1, new StorageSpec("default", "ubuntu.iso", List.of()), List.of(),
                new GraphicsSpec(GraphicsSpec.Type.NONE, null, null), null);
        return new HostCommand.ProvisionVm("cmd-" + vmId, hostId, vmId, 1, spec, List.of(), deadline);
    }
}
