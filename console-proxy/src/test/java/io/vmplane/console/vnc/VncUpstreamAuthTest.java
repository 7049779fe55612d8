package io.vmplane.console.vnc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class VncUpstreamAuthTest {

    private static final byte[] CHALLENGE = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldAnswerTheChallengeThenLeaveThePipelinePassingLaterBytesOn() {
        // Given the handler in front of a VNC server that offers VNC authentication
        VncUpstreamAuth auth = new VncUpstreamAuth("pw");
        EmbeddedChannel server = new EmbeddedChannel(auth);
        server.writeInbound(Unpooled.copiedBuffer("RFB 003.008\n", StandardCharsets.US_ASCII));
        assertThat(written(server)).isEqualTo("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {2, 1, 2}));
        assertThat(written(server)).containsExactly(2);
        server.writeInbound(Unpooled.wrappedBuffer(CHALLENGE));
        assertThat(written(server)).isEqualTo(VncDes.response("pw", CHALLENGE));

        // When the server accepts, with the first ServerInit bytes in the same read
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 4, 0}));

        // Then the handshake is done, the handler gone and the extra bytes handed on
        assertThat(auth.done()).isCompleted();
        assertThat(server.pipeline().get(VncUpstreamAuth.class)).isNull();
        ByteBuf rest = server.readInbound();
        assertThat(ByteBufUtil.getBytes(rest)).containsExactly(4, 0);
        rest.release();
    }

    @Test
    void shouldFailAndCloseWhenTheServerRefusesThePassword() {
        VncUpstreamAuth auth = new VncUpstreamAuth("wrong");
        EmbeddedChannel server = new EmbeddedChannel(auth);
        server.writeInbound(Unpooled.copiedBuffer("RFB 003.008\n", StandardCharsets.US_ASCII));
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        server.writeInbound(Unpooled.wrappedBuffer(CHALLENGE));
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1}));
        assertThat(auth.done()).isCompletedExceptionally();
        assertThat(server.isOpen()).isFalse();
    }

    private static byte[] written(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }
}
