package io.vmplane.console.vnc;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The proxy's side of an RFB handshake with the VM's VNC server, as a Netty handler first in the upstream pipeline:
 * version 3.8 (or 3.3 if the server offers only that), security type 2 (VNC authentication) with the grant's
 * password, or type 1 when the server asks for none. On success it leaves the pipeline, hands on any bytes after the
 * handshake, and completes {@link #done()}; the server then waits for the ClientInit the browser will send. The
 * password is held only until it is used and never logged.
 */
public final class VncUpstreamAuth extends ByteToMessageDecoder {

    private static final int NONE = 1;
    private static final int VNC_AUTH = 2;

    private enum Step { VERSION, TYPES, TYPE_33, CHALLENGE, RESULT }

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private String password;
    private Step step = Step.VERSION;
    private boolean v33;

    public VncUpstreamAuth(String password) {
        this.password = password;
    }

    /** Completes when the server accepted the proxy; fails with {@link VncAuthException} otherwise. */
    public CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        // Reactor Netty turns auto-read off until the relay subscribes: the handshake asks for its reads itself
        ctx.read();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
        while (!done.isDone()) {
            if (!stepOnce(ctx, in)) {
                if (!done.isDone()) {
                    ctx.read();
                }
                return;
            }
        }
    }

    private boolean stepOnce(ChannelHandlerContext ctx, ByteBuf in) {
        switch (step) {
            case VERSION -> {
                if (in.readableBytes() < 12) {
                    return false;
                }
                String version = in.readCharSequence(12, StandardCharsets.US_ASCII).toString();
                if (!version.startsWith("RFB ")) {
                    return fail(ctx, "the upstream is not an RFB server");
                }
                v33 = version.compareTo("RFB 003.007\n") < 0;
                ctx.writeAndFlush(Unpooled.copiedBuffer(v33 ? "RFB 003.003\n" : "RFB 003.008\n",
                        StandardCharsets.US_ASCII));
                step = v33 ? Step.TYPE_33 : Step.TYPES;
            }
            case TYPES -> {
                if (in.readableBytes() < 1 || in.readableBytes() < 1 + in.getUnsignedByte(in.readerIndex())) {
                    return false;
                }
                int count = in.readUnsignedByte();
                if (count == 0) {
                    return fail(ctx, "the VNC server refused the connection");
                }
                boolean vnc = false;
                boolean none = false;
                for (int i = 0; i < count; i++) {
                    int type = in.readUnsignedByte();
                    vnc |= type == VNC_AUTH;
                    none |= type == NONE;
                }
                if (vnc) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {VNC_AUTH}));
                    step = Step.CHALLENGE;
                } else if (none) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {NONE}));
                    step = Step.RESULT;
                } else {
                    return fail(ctx, "the VNC server offers neither VNC authentication nor none");
                }
            }
            case TYPE_33 -> {
                if (in.readableBytes() < 4) {
                    return false;
                }
                int type = in.readInt();
                if (type == NONE) {
                    return succeed(ctx, in);
                }
                if (type != VNC_AUTH) {
                    return fail(ctx, "the VNC server chose security type " + type);
                }
                step = Step.CHALLENGE;
            }
            case CHALLENGE -> {
                if (in.readableBytes() < VncDes.CHALLENGE_LENGTH) {
                    return false;
                }
                byte[] challenge = new byte[VncDes.CHALLENGE_LENGTH];
                in.readBytes(challenge);
                String secret = password == null ? "" : password;
                password = null;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(VncDes.response(secret, challenge)));
                step = Step.RESULT;
            }
            case RESULT -> {
                if (in.readableBytes() < 4) {
                    return false;
                }
                if (in.readInt() != 0) {
                    return fail(ctx, "the VNC server refused the password");
                }
                return succeed(ctx, in);
            }
            default -> throw new IllegalStateException(step.name());
        }
        return true;
    }

    private boolean succeed(ChannelHandlerContext ctx, ByteBuf in) {
        password = null;
        // ByteToMessageDecoder hands the bytes left in its cumulation on when it leaves the pipeline
        ctx.pipeline().remove(this);
        done.complete(null);
        return false;
    }

    private boolean fail(ChannelHandlerContext ctx, String message) {
        password = null;
        done.completeExceptionally(new VncAuthException(message));
        ctx.close();
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        done.completeExceptionally(new VncAuthException("the VNC server closed during the handshake"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        done.completeExceptionally(new VncAuthException("the VNC handshake failed: " + cause.getMessage()));
        ctx.close();
    }

    /** The upstream VNC handshake failed (the message names no secret). */
    public static final class VncAuthException extends RuntimeException {

        public VncAuthException(String message) {
            super(message, null, false, false);
        }
    }
}
