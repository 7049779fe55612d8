package io.vmplane.console.spice;

import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

import io.netty.buffer.ByteBuf;
import io.vmplane.console.relay.StreamFilter;

/**
 * Reads, without changing a byte, the VM → browser stream of a SPICE main channel until the server's
 * {@code SPICE_MSG_MAIN_INIT}, and reports its {@code session_id}: the connection_id every further channel of that
 * session must present. The stream is: link reply header (16 bytes) and body ({@code SpiceLinkReply}: error, 162-byte
 * public key, common and channel caps counts, caps offset, caps), the 4-byte link result, then messages with the mini
 * header (type u16, size u32) when both sides announced {@code SPICE_COMMON_CAP_MINI_HEADER}, else the full one
 * (serial u64, type u16, size u32, sub-list u32). All little-endian. Gives up after {@link #MAX_SCANNED} bytes.
 */
public final class SpiceMainInitSniffer implements StreamFilter {

    static final int MSG_MAIN_INIT = 103;
    static final int MAX_SCANNED = 1 << 20;
    private static final int REPLY_FIXED = 4 + 162 + 12;

    private enum Step { REPLY_HEADER, REPLY_FIXED, CAPS, RESULT, MESSAGE_HEADER, INIT, DONE }

    private final IntSupplier clientCommonCaps;
    private final LongConsumer sessionId;
    private final byte[] window = new byte[REPLY_FIXED];
    private Step step = Step.REPLY_HEADER;
    private int need = 16;
    private int filled;
    private long skip;
    private Step afterSkip;
    private long scanned;
    private long replySize;
    private long capsTail;
    private int serverCaps;
    private boolean miniHeader;

    /**
     * @param clientCommonCaps the client's first common capability word (from its link message)
     * @param sessionId        receives the session id once, when MAIN_INIT passes
     */
    public SpiceMainInitSniffer(IntSupplier clientCommonCaps, LongConsumer sessionId) {
        this.clientCommonCaps = clientCommonCaps;
        this.sessionId = sessionId;
    }

    @Override
    public ByteBuf apply(ByteBuf in) {
        int index = in.readerIndex();
        int end = in.writerIndex();
        while (step != Step.DONE && index < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - index);
                skip -= n;
                index += n;
                scanned += n;
                if (skip == 0) {
                    enter(afterSkip);
                }
            } else {
                int n = Math.min(need - filled, end - index);
                in.getBytes(index, window, filled, n);
                filled += n;
                index += n;
                scanned += n;
                if (filled == need) {
                    onWindow();
                }
            }
            if (scanned > MAX_SCANNED) {
                step = Step.DONE;
            }
        }
        return in;
    }

    private void onWindow() {
        switch (step) {
            case REPLY_HEADER -> {
                replySize = le32(12);
                if (le32(0) != SpiceLink.MAGIC || replySize < REPLY_FIXED) {
                    step = Step.DONE;
                } else {
                    enter(Step.REPLY_FIXED);
                }
            }
            case REPLY_FIXED -> {
                long commonCount = le32(166);
                long capsOffset = le32(174);
                if (commonCount > 0 && capsOffset >= REPLY_FIXED && capsOffset + 4 <= replySize) {
                    capsTail = replySize - capsOffset - 4;
                    skipThen(capsOffset - REPLY_FIXED, Step.CAPS);
                } else {
                    skipThen(replySize - REPLY_FIXED, Step.RESULT);
                }
            }
            case CAPS -> {
                serverCaps = (int) le32(0);
                skipThen(capsTail, Step.RESULT);
            }
            case RESULT -> {
                if (le32(0) != 0) {
                    step = Step.DONE;
                    return;
                }
                int bit = 1 << SpiceLink.CAP_MINI_HEADER;
                miniHeader = (serverCaps & bit) != 0 && (clientCommonCaps.getAsInt() & bit) != 0;
                enter(Step.MESSAGE_HEADER);
            }
            case MESSAGE_HEADER -> {
                int type = miniHeader ? le16(0) : le16(8);
                long size = miniHeader ? le32(2) : le32(10);
                if (type == MSG_MAIN_INIT && size >= 4) {
                    enter(Step.INIT);
                } else {
                    skipThen(size, Step.MESSAGE_HEADER);
                }
            }
            case INIT -> {
                step = Step.DONE;
                sessionId.accept(le32(0));
            }
            default -> step = Step.DONE;
        }
    }

    private void skipThen(long bytes, Step next) {
        if (bytes <= 0) {
            enter(next);
        } else {
            skip = bytes;
            afterSkip = next;
        }
    }

    private void enter(Step next) {
        step = next;
        filled = 0;
        need = switch (next) {
            case REPLY_HEADER -> 16;
            case REPLY_FIXED -> REPLY_FIXED;
            case MESSAGE_HEADER -> miniHeader ? 6 : 18;
            default -> 4;
        };
    }

    private long le32(int at) {
        return (window[at] & 0xffL) | (window[at + 1] & 0xffL) << 8 | (window[at + 2] & 0xffL) << 16
                | (window[at + 3] & 0xffL) << 24;
    }

    private int le16(int at) {
        return (window[at] & 0xff) | (window[at + 1] & 0xff) << 8;
    }
}
