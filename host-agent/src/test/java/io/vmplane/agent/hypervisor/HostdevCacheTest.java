package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vmplane.agent.domain.PciAddress;

class HostdevCacheTest {

    private static final String GPU = "0000:3b:00.0";
    private static final String NIC = "0000:5e:00.1";
    private static final HostdevCache.Key GPU_VM = new HostdevCache.Key("11111111-1111-1111-1111-111111111111", 3);
    private static final HostdevCache.Key NIC_VM = new HostdevCache.Key("22222222-2222-2222-2222-222222222222", -1);

    private final HostdevCache cache = new HostdevCache();

    @Test
    void shouldReadOnlyTheDomainsNewSinceTheLastRead() {
        // Given the GPU VM read in an earlier report
        readAll(List.of(GPU_VM), GPU_VM, GPU);

        // When the next report lists it with a new domain
        var toRead = cache.toRead(List.of(GPU_VM, NIC_VM), false);

        // Then
        assertThat(toRead).containsExactly(NIC_VM);
        assertThat(cache.inUse()).containsExactly(GPU);
    }

    @Test
    void shouldReadAgainADomainStartedOrStoppedSince() {
        // Given
        readAll(List.of(GPU_VM), GPU_VM, GPU);
        HostdevCache.Key stopped = new HostdevCache.Key(GPU_VM.uuid(), -1);

        // When
        var toRead = cache.toRead(List.of(stopped), false);

        // Then
        assertThat(toRead).containsExactly(stopped);
    }

    @Test
    void shouldFreeTheDevicesOfADomainNoLongerListed() {
        // Given
        readAll(List.of(GPU_VM), GPU_VM, GPU);

        // When
        var toRead = cache.toRead(List.of(NIC_VM), false);

        // Then
        assertThat(toRead).containsExactly(NIC_VM);
        assertThat(cache.inUse()).isEmpty();
    }

    @Test
    void shouldFreeTheDevicesOfADomainGoneBeforeItsDefinitionCouldBeReadAgain() {
        // Given the GPU VM, restarted since it was read
        readAll(List.of(GPU_VM), GPU_VM, GPU);
        HostdevCache.Key restarted = new HostdevCache.Key(GPU_VM.uuid(), 4);

        // When its definition is not there any more when read (nothing remembered)
        cache.toRead(List.of(restarted), false);

        // Then
        assertThat(cache.inUse()).isEmpty();
    }

    @Test
    void shouldReadAgainADomainItWasToldToForget() {
        // Given
        readAll(List.of(GPU_VM, NIC_VM), GPU_VM, GPU);
        cache.remember(NIC_VM, List.of(PciAddress.parse(NIC)));

        // When the GPU VM is redefined
        cache.forget(GPU_VM.uuid());
        var toRead = cache.toRead(List.of(GPU_VM, NIC_VM), false);

        // Then
        assertThat(toRead).containsExactly(GPU_VM);
        assertThat(cache.inUse()).containsExactly(NIC);
    }

    @Test
    void shouldReadEveryDomainOnAFullRead() {
        // Given
        readAll(List.of(GPU_VM), GPU_VM, GPU);

        // When
        var toRead = cache.toRead(List.of(GPU_VM, NIC_VM), true);

        // Then
        assertThat(toRead).containsExactlyInAnyOrder(GPU_VM, NIC_VM);
        assertThat(cache.definitionsRead()).isEqualTo(1);
    }

    private void readAll(List<HostdevCache.Key> listed, HostdevCache.Key withDevice, String address) {
        for (HostdevCache.Key key : cache.toRead(listed, false)) {
            cache.remember(key, key.equals(withDevice) ? List.of(PciAddress.parse(address)) : List.of());
        }
    }
}
