package io.vmplane.console.relay;

import io.netty.buffer.ByteBuf;

/**
 * Looks at one direction of a relay's bytes, in order, on one thread at a time. It takes ownership of each buffer
 * it is given and returns the bytes to pass on (possibly held back and released later, or null for none). It may
 * throw {@link RelayClosedException} to end the relay.
 */
@FunctionalInterface
public interface StreamFilter {

    /** Passes every byte on unchanged. */
    StreamFilter PASS = in -> in;

    ByteBuf apply(ByteBuf in);

    /** Releases what it holds back (the relay ended). */
    default void release() {
    }
}
