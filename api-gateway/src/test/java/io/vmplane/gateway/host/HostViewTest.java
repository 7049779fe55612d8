package io.vmplane.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.schemas.host.HostHeartbeat.HostStatus;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.store.HostRecord;
import io.vmplane.store.Usage;
import org.junit.jupiter.api.Test;

class HostViewTest {

    private static final long GIB = 1L << 30;
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static HostRecord host(Instant lastHeartbeat) {
        var inventory = new HostInventory("sim-1", "test", "127.0.0.1", false, 32, 65536,
                List.of(new HostInventory.Pool("default", true, 100 * GIB, 80 * GIB, List.of("ubuntu.iso")),
                        new HostInventory.Pool("fast", false, 50 * GIB, 50 * GIB, List.of())),
                List.of(new HostInventory.PciDevice("0000:3b:00.0", "10de", "1eb8", 30, false),
                        new HostInventory.PciDevice("0000:3c:00.0", "8086", "1234", 31, true),
                        new HostInventory.PciDevice("0000:3d:00.0", "8086", "1234", 32, false)),
                NOW);
        return new HostRecord(inventory, 128, 65536, HostStatus.UP, lastHeartbeat);
    }

    @Test
    void shouldShowFreeCapacityAsLimitLessClaims() {
        // Given a host with limits 128 vCPUs / 65536 MiB and claims of 6 vCPUs, 12288 MiB, 30 GiB and a GPU
        var usage = new Usage(6, 12288, Set.of("0000:3b:00.0"), Map.of("default", 30 * GIB));
        // When it is shown
        HostView view = HostView.of(host(NOW.minusSeconds(1)), usage, NOW, Duration.ofSeconds(15));
        // Then free = limit − claims and the claimed device is in use
        assertThat(view.id()).isEqualTo("sim-1");
        assertThat(view.hypervisor()).isEqualTo("test");
        assertThat(view.status()).isEqualTo("up");
        assertThat(view.consoleAddress()).isEqualTo("127.0.0.1");
        assertThat(view.vcpus()).isEqualTo(new HostView.Vcpus(32, 122));
        assertThat(view.memory()).isEqualTo(new HostView.Memory(65536, 53248));
        assertThat(view.storagePools()).containsExactly(new HostView.Pool("default", true, 100, 50),
                new HostView.Pool("fast", false, 50, 50));
        assertThat(view.pciDevices()).extracting(HostView.PciDevice::inUse).containsExactly(true, true, false);
    }

    @Test
    void shouldShowHostWithoutRecentHeartbeatAsUnreachable() {
        HostView view = HostView.of(host(NOW.minusSeconds(16)), Usage.NONE, NOW, Duration.ofSeconds(15));
        assertThat(view.status()).isEqualTo("unreachable");
    }
}
