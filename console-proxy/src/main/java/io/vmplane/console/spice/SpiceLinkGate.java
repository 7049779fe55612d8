package io.vmplane.console.spice;

import java.util.function.Predicate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vmplane.console.relay.CloseReason;
import io.vmplane.console.relay.RelayClosedException;
import io.vmplane.console.relay.StreamFilter;

/**
 * Holds a SPICE channel's browser → VM bytes until its link message is complete, asks {@code admit} whether that
 * channel may open, then lets the held bytes and everything after through. A refused or malformed link ends the relay
 * ({@link CloseReason#CHANNEL_REFUSED}) before a byte reached the VM.
 */
public final class SpiceLinkGate implements StreamFilter {

    private final Predicate<SpiceLink> admit;
    private ByteBuf held = Unpooled.EMPTY_BUFFER;
    private boolean open;

    public SpiceLinkGate(Predicate<SpiceLink> admit) {
        this.admit = admit;
    }

    @Override
    public ByteBuf apply(ByteBuf in) {
        if (open) {
            return in;
        }
        ByteBuf buf = held.isReadable() ? Unpooled.wrappedBuffer(held, in) : in;
        held = Unpooled.EMPTY_BUFFER;
        int length;
        try {
            length = SpiceLink.length(buf.nioBuffer());
        } catch (IllegalArgumentException e) {
            buf.release();
            throw new RelayClosedException(CloseReason.CHANNEL_REFUSED, e.getMessage());
        }
        if (length < 0 || buf.readableBytes() < length) {
            held = buf;
            return null;
        }
        SpiceLink link = SpiceLink.parse(buf.nioBuffer()).orElse(null);
        if (link == null || !admit.test(link)) {
            buf.release();
            throw new RelayClosedException(CloseReason.CHANNEL_REFUSED, "SPICE channel not admitted");
        }
        open = true;
        return buf;
    }

    @Override
    public void release() {
        if (held != Unpooled.EMPTY_BUFFER && held.refCnt() > 0) {
            held.release();
        }
        held = Unpooled.EMPTY_BUFFER;
    }
}
