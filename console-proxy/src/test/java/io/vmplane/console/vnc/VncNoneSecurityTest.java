package io.vmplane.console.vnc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

class VncNoneSecurityTest {

    private final List<byte[]> toBrowser = new ArrayList<>();
    private final VncNoneSecurity filter = new VncNoneSecurity(b -> {
        toBrowser.add(ByteBufUtil.getBytes(b));
        b.release();
    });

    @Test
    void shouldOfferSecurityNoneToA38BrowserThenPassItsClientInit() {
        // Given a browser that answers the greeting with 3.8, split over two frames
        assertThat(filter.apply(bytes("RFB 003"))).isNull();
        assertThat(filter.apply(bytes(".008\n"))).isNull();
        assertThat(toBrowser).containsExactly(new byte[] {1, 1});
        // When it chooses None and sends ClientInit (shared = 1) in the same frame
        ByteBuf passed = filter.apply(Unpooled.wrappedBuffer(new byte[] {1, 1}));
        // Then the proxy answers security result OK and only ClientInit goes to the VM
        assertThat(toBrowser).last().isEqualTo(new byte[] {0, 0, 0, 0});
        assertThat(ByteBufUtil.getBytes(passed)).containsExactly(1);
        passed.release();
    }

    @Test
    void shouldAnnounceNoneDirectlyToA33Browser() {
        assertThat(filter.apply(bytes("RFB 003.003\n"))).isNull();
        assertThat(toBrowser).containsExactly(new byte[] {0, 0, 0, 1});
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
