package io.vmplane.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.vmplane.schemas.host.HostHeartbeat;
import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.store.HostRecord;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.StateStores;
import io.vmplane.testsupport.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisHostRegistryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

    private static StateStores stores;
    private static HostRegistry registry;

    @BeforeAll
    static void connect() {
        stores = StateStores.connect(SharedInfra.redis().uri());
        registry = stores.hosts();
    }

    @AfterAll
    static void close() {
        stores.close();
    }

    @Test
    void shouldStoreAnInventoryWithItsLimits() {
        // Given
        HostInventory inventory = inventory(uniqueHost("sim"));

        // When
        registry.putInventory(inventory, 128, 65536).block(TIMEOUT);

        // Then
        HostRecord host = registry.host(inventory.hostId()).block(TIMEOUT);
        assertThat(host.inventory()).isEqualTo(inventory);
        assertThat(host.vcpuLimit()).isEqualTo(128);
        assertThat(host.memoryLimitMib()).isEqualTo(65536);
        assertThat(host.lastHeartbeat()).isNull();
        assertThat(host.status(Instant.now(), HEARTBEAT_TIMEOUT)).isEqualTo(HostStatus.UNREACHABLE);
    }

    @Test
    void shouldRecordTheLatestHeartbeat() {
        // Given
        HostInventory inventory = inventory(uniqueHost("sim"));
        registry.putInventory(inventory, 128, 65536).block(TIMEOUT);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        // When
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.DEGRADED, at)).block(TIMEOUT);

        // Then
        HostRecord host = registry.host(inventory.hostId()).block(TIMEOUT);
        assertThat(host.reportedStatus()).isEqualTo(HostStatus.DEGRADED);
        assertThat(host.lastHeartbeat()).isEqualTo(at);
        assertThat(host.status(at.plusSeconds(1), HEARTBEAT_TIMEOUT)).isEqualTo(HostStatus.DEGRADED);
    }

    @Test
    void shouldNotGoBackToAnEarlierHeartbeatDeliveredLate() {
        // Given a heartbeat recorded by one worker
        HostInventory inventory = inventory(uniqueHost("sim"));
        registry.putInventory(inventory, 128, 65536).block(TIMEOUT);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.UP, at)).block(TIMEOUT);

        // When a worker lagging behind records an earlier one, and the same one again
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.DEGRADED, at.minusSeconds(20)))
                .block(TIMEOUT);
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.DEGRADED, at)).block(TIMEOUT);

        // Then the later heartbeat stands, and a newer one still moves it on
        HostRecord host = registry.host(inventory.hostId()).block(TIMEOUT);
        assertThat(host.lastHeartbeat()).isEqualTo(at);
        assertThat(host.reportedStatus()).isEqualTo(HostStatus.UP);
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.DEGRADED, at.plusMillis(1)))
                .block(TIMEOUT);
        assertThat(registry.host(inventory.hostId()).block(TIMEOUT).reportedStatus()).isEqualTo(HostStatus.DEGRADED);
    }

    @Test
    void shouldKeepTheHeartbeatWhenTheInventoryChanges() {
        // Given
        HostInventory inventory = inventory(uniqueHost("sim"));
        registry.putInventory(inventory, 128, 65536).block(TIMEOUT);
        registry.heartbeat(new HostHeartbeat(inventory.hostId(), HostStatus.UP, Instant.now())).block(TIMEOUT);

        // When
        registry.putInventory(inventory, 64, 32768).block(TIMEOUT);

        // Then
        HostRecord host = registry.host(inventory.hostId()).block(TIMEOUT);
        assertThat(host.vcpuLimit()).isEqualTo(64);
        assertThat(host.reportedStatus()).isEqualTo(HostStatus.UP);
        assertThat(host.lastHeartbeat()).isNotNull();
    }

    @Test
    void shouldListHostsWithAnInventoryOrderedById() {
        // Given
        String prefix = uniqueHost("list");
        registry.putInventory(inventory(prefix + "-b"), 8, 1024).block(TIMEOUT);
        registry.putInventory(inventory(prefix + "-a"), 8, 1024).block(TIMEOUT);
        registry.heartbeat(new HostHeartbeat(prefix + "-c", HostStatus.UP, Instant.now())).block(TIMEOUT);

        // When
        List<String> ids = registry.hosts().map(HostRecord::id).filter(id -> id.startsWith(prefix))
                .collectList().block(TIMEOUT);

        // Then
        assertThat(ids).containsExactly(prefix + "-a", prefix + "-b");
        assertThat(registry.host(prefix + "-c").blockOptional(TIMEOUT)).isEmpty();
    }

    private static String uniqueHost(String kind) {
        return kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static HostInventory inventory(String hostId) {
        return new HostInventory(hostId, "test", "127.0.0.1", false, 32, 65536,
                List.of(new HostInventory.Pool("default", true, 500L << 30, 400L << 30, List.of("ubuntu.iso"))),
                List.of(new HostInventory.PciDevice("0000:3b:00.0", "10de", "1eb8", 30, false)),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }
}
