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
    void shouldTakeTheProxiesInTurn() {
        // Given
        URI a = URI.create("http://127.0.0.1:8090");
        URI b = URI.create("http://127.0.0.1:8091");
        ProxyTier tier = new ProxyTier(List.of(a, b));

        // Then each call starts one further along, and lists every proxy once
        assertThat(tier.order()).containsExactly(a, b);
        assertThat(tier.order()).containsExactly(b, a);
        assertThat(tier.order()).containsExactly(a, b);
    }
}
