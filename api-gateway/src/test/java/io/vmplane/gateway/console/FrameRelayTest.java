package io.vmplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.socket.CloseStatus;

class FrameRelayTest {

    @Test
    void shouldPassOnACloseCodeAndReasonAsReceived() {
        assertThat(FrameRelay.sendable(new CloseStatus(4001, "TOKEN_INVALID"), FrameRelay.UPSTREAM_LOST))
                .isEqualTo(new CloseStatus(4001, "TOKEN_INVALID"));
        assertThat(FrameRelay.sendable(CloseStatus.GOING_AWAY, FrameRelay.UPSTREAM_LOST))
                .isEqualTo(CloseStatus.GOING_AWAY);
    }

    @Test
    void shouldNeverSendTheReservedCloseCodes() {
        assertThat(FrameRelay.sendable(CloseStatus.NO_STATUS_CODE, FrameRelay.UPSTREAM_LOST))
                .isEqualTo(CloseStatus.NORMAL);
        assertThat(FrameRelay.sendable(CloseStatus.NO_CLOSE_FRAME, FrameRelay.UPSTREAM_LOST))
                .isEqualTo(FrameRelay.UPSTREAM_LOST);
        assertThat(FrameRelay.sendable(CloseStatus.TLS_HANDSHAKE_FAILURE, FrameRelay.CLIENT_GONE))
                .isEqualTo(FrameRelay.CLIENT_GONE);
        assertThat(FrameRelay.UPSTREAM_LOST.getCode()).isEqualTo(1011);
        assertThat(FrameRelay.UPSTREAM_LOST.getReason()).isEqualTo("CONSOLE_UNAVAILABLE");
    }

    @Test
    void shouldSendEveryConsoleOfAVmToItsOwnProxyFirst() {
        // Given
        URI a = URI.create("http://127.0.0.1:8090");
        URI b = URI.create("http://127.0.0.1:8091");
        URI c = URI.create("http://127.0.0.1:8092");
        ProxyTier tier = new ProxyTier(List.of(a, b, c));

        // Then a VM always gets the same order, starting at its own proxy, listing every proxy once
        var vms = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "vm-" + java.util.UUID.randomUUID())
                .toList();
        for (String vm : vms) {
            assertThat(tier.order(vm)).isEqualTo(tier.order(vm)).containsExactlyInAnyOrder(a, b, c);
            assertThat(new ProxyTier(List.of(a, b, c)).order(vm)).isEqualTo(tier.order(vm));
        }
        // and VMs spread over the proxies
        assertThat(vms.stream().map(vm -> tier.order(vm).get(0)).distinct()).hasSize(3);
    }
}
