package io.vmplane.console.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vmplane.console.relay.RelayClosedException;

class SpiceProtocolTest {

    /** A link message as a SPICE client sends it: one common caps word, no channel caps. */
    static byte[] link(long connectionId, int channelType, int commonCaps) {
        ByteBuffer b = ByteBuffer.allocate(16 + 18 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SpiceLink.MAGIC).putInt(2).putInt(2).putInt(18 + 4);
        b.putInt((int) connectionId).put((byte) channelType).put((byte) 0).putInt(1).putInt(0).putInt(18);
        b.putInt(commonCaps);
        return b.array();
    }

    @Test
    void shouldParseALinkMessage() {
        SpiceLink link = SpiceLink.parse(ByteBuffer.wrap(link(0xdeadbeefL, 2, 0b1011))).orElseThrow();
        assertThat(link).isEqualTo(new SpiceLink(0xdeadbeefL, 2, 0, 0b1011));
        assertThat(link.isMain()).isFalse();
    }

    @Test
    void shouldHoldTheLinkUntilCompleteThenAdmitIt() {
        // Given a gate that admits main channels, and a link message in two pieces
        SpiceLinkGate gate = new SpiceLinkGate(SpiceLink::isMain);
        byte[] link = link(0, 1, 0);
        // When the pieces arrive
        ByteBuf first = gate.apply(Unpooled.wrappedBuffer(link, 0, 10));
        ByteBuf whole = gate.apply(Unpooled.wrappedBuffer(link, 10, link.length - 10));
        // Then nothing passes before the link is whole, then all of it passes
        assertThat(first).isNull();
        assertThat(whole.readableBytes()).isEqualTo(link.length);
        whole.release();
    }

    @Test
    void shouldRefuseAChannelItDoesNotAdmitAndBytesThatAreNoLink() {
        assertThatThrownBy(() -> new SpiceLinkGate(l -> l.connectionId() == 7)
                .apply(Unpooled.wrappedBuffer(link(8, 2, 0)))).isInstanceOf(RelayClosedException.class);
        assertThatThrownBy(() -> new SpiceLinkGate(l -> true)
                .apply(Unpooled.copiedBuffer(new byte[] {'R', 'F', 'B', ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})))
                .isInstanceOf(RelayClosedException.class);
    }

    @Test
    void shouldFindTheSessionIdInMainInitWithMiniHeaders() {
        // Given the server's link reply (mini header cap), link result OK, a first message, then MAIN_INIT
        ByteBuffer s = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        s.putInt(SpiceLink.MAGIC).putInt(2).putInt(2).putInt(178 + 4);
        s.putInt(0).put(new byte[162]).putInt(1).putInt(0).putInt(178).putInt(1 << SpiceLink.CAP_MINI_HEADER);
        s.putInt(0);
        s.putShort((short) 3).putInt(2).putShort((short) 9);
        s.putShort((short) SpiceMainInitSniffer.MSG_MAIN_INIT).putInt(8).putInt(0x12345678).putInt(1);
        s.flip();
        byte[] stream = new byte[s.remaining()];
        s.get(stream);
        AtomicLong sessionId = new AtomicLong();
        SpiceMainInitSniffer sniffer = new SpiceMainInitSniffer(() -> 1 << SpiceLink.CAP_MINI_HEADER, sessionId::set);
        // When it passes byte by byte
        for (byte b : stream) {
            ByteBuf out = sniffer.apply(Unpooled.wrappedBuffer(new byte[] {b}));
            assertThat(out.readableBytes()).isEqualTo(1);
            out.release();
        }
        // Then the session id is found, and nothing was changed
        assertThat(sessionId).hasValue(0x12345678L);
    }
}
