package io.vmplane.console.vnc;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vmplane.console.relay.CloseReason;
import io.vmplane.console.relay.RelayClosedException;
import io.vmplane.console.relay.StreamFilter;

/**
 * The browser's side of the RFB handshake when the proxy authenticated upstream itself: the proxy plays the server
 * up to the security result, offering only security type 1 (None), so the browser never needs the password. Filters
 * the browser → VM direction; everything after the handshake (ClientInit on) passes through unchanged.
 * {@link #greeting()} is what the browser must receive first.
 */
public final class VncNoneSecurity implements StreamFilter {

    private enum Step { VERSION, CHOICE, PASS }

    private final Consumer<ByteBuf> toBrowser;
    private ByteBuf pending = Unpooled.EMPTY_BUFFER;
    private Step step = Step.VERSION;
    private boolean v38;

    public VncNoneSecurity(Consumer<ByteBuf> toBrowser) {
        this.toBrowser = toBrowser;
    }

    /** The server version the proxy announces. */
    public static ByteBuf greeting() {
        return Unpooled.copiedBuffer("RFB 003.008\n", StandardCharsets.US_ASCII);
    }

    @Override
    public ByteBuf apply(ByteBuf in) {
        if (step == Step.PASS) {
            return in;
        }
        ByteBuf buf = pending.isReadable() ? Unpooled.wrappedBuffer(pending, in) : in;
        pending = Unpooled.EMPTY_BUFFER;
        if (step == Step.VERSION && buf.readableBytes() >= 12) {
            String version = buf.readCharSequence(12, StandardCharsets.US_ASCII).toString();
            if (!version.startsWith("RFB 003.")) {
                buf.release();
                throw new RelayClosedException(CloseReason.RELAY_ERROR, "the browser did not send an RFB version");
            }
            if (version.compareTo("RFB 003.007\n") < 0) {
                toBrowser.accept(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1}));
                step = Step.PASS;
            } else {
                v38 = version.compareTo("RFB 003.008\n") >= 0;
                toBrowser.accept(Unpooled.wrappedBuffer(new byte[] {1, 1}));
                step = Step.CHOICE;
            }
        }
        if (step == Step.CHOICE && buf.readableBytes() >= 1) {
            if (buf.readUnsignedByte() != 1) {
                buf.release();
                throw new RelayClosedException(CloseReason.RELAY_ERROR, "the browser chose a security type not offered");
            }
            if (v38) {
                toBrowser.accept(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0}));
            }
            step = Step.PASS;
        }
        if (step == Step.PASS) {
            if (buf.isReadable()) {
                return buf;
            }
            buf.release();
            return null;
        }
        pending = buf;
        return null;
    }

    @Override
    public void release() {
        if (pending.refCnt() > 0 && pending != Unpooled.EMPTY_BUFFER) {
            pending.release();
        }
        pending = Unpooled.EMPTY_BUFFER;
    }
}
