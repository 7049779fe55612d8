package io.vmplane.console.spice;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The SPICE link message a client sends first on every channel socket (little-endian): the header
 * ({@code REDQ} magic, major and minor version, size of what follows) and {@code SpiceLinkMess} (connection_id,
 * channel_type, channel_id, common and channel capability counts, caps offset, then the capability words).
 *
 * @param connectionId the session's id, 0 for the first (main) channel of a new session
 * @param channelType  1 main, 2 display, 3 inputs, 4 cursor, …
 * @param channelId    the channel's index among those of its type
 * @param commonCaps   the first word of the common capabilities (0 when there are none)
 */
public record SpiceLink(long connectionId, int channelType, int channelId, int commonCaps) {

    /** {@code "REDQ"} read as a little-endian 32-bit word. */
    public static final int MAGIC = 0x51444552;
    public static final int HEADER_LENGTH = 16;
    public static final int MAIN_CHANNEL = 1;
    /** The largest link message accepted (a real one is a few dozen bytes). */
    public static final int MAX_SIZE = 4096;
    /** {@code SPICE_COMMON_CAP_MINI_HEADER}. */
    public static final int CAP_MINI_HEADER = 3;

    public boolean isMain() {
        return channelType == MAIN_CHANNEL;
    }

    /**
     * How many bytes the link message occupies, once at least the header is readable; -1 while fewer than 16 bytes
     * are there.
     *
     * @throws IllegalArgumentException when the bytes are not a SPICE link header
     */
    public static int length(ByteBuffer bytes) {
        if (bytes.remaining() < HEADER_LENGTH) {
            return -1;
        }
        ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = le.position();
        if (le.getInt(start) != MAGIC) {
            throw new IllegalArgumentException("not a SPICE link message (no REDQ magic)");
        }
        long size = Integer.toUnsignedLong(le.getInt(start + 12));
        if (size < 18 || size > MAX_SIZE) {
            throw new IllegalArgumentException("a SPICE link message of " + size + " bytes");
        }
        return HEADER_LENGTH + (int) size;
    }

    /** Parses a whole link message (header included); empty when it is not one. */
    public static Optional<SpiceLink> parse(ByteBuffer bytes) {
        try {
            int length = length(bytes);
            if (length < 0 || bytes.remaining() < length) {
                return Optional.empty();
            }
            ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int body = le.position() + HEADER_LENGTH;
            long connectionId = Integer.toUnsignedLong(le.getInt(body));
            int channelType = le.get(body + 4) & 0xff;
            int channelId = le.get(body + 5) & 0xff;
            long commonCount = Integer.toUnsignedLong(le.getInt(body + 6));
            long capsOffset = Integer.toUnsignedLong(le.getInt(body + 14));
            int caps = 0;
            if (commonCount > 0 && capsOffset + 4 <= length - HEADER_LENGTH) {
                caps = le.getInt(body + (int) capsOffset);
            }
            return Optional.of(new SpiceLink(connectionId, channelType, channelId, caps));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
