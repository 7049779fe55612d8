package io.vmplane.gateway.console;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a console proxy answered instead of {@code 101 Switching Protocols}: status, content type, Retry-After and
 * body, so that the gateway can answer its client the same. Reactor Netty's handshake error keeps only the status
 * line and headers; {@link Capture} copies the (aggregated) response as it passes by. It also keeps the upgrade
 * request's {@code Origin} what the browser sent: Netty's handshaker invents one from the proxy's URL when there is
 * none, which a proxy would rightly refuse as foreign.
 */
record UpgradeRefusal(int status, String contentType, String retryAfter, byte[] body) {

    /**
     * Sits on the upstream connection's pipeline just before Reactor Netty's bridge: removes the invented
     * {@code Origin} from the upgrade request when the browser sent none, sees the handshake response, notes a
     * refusal and passes everything on; it leaves the pipeline once the upgrade succeeded.
     */
    static final class Capture extends ChannelDuplexHandler {

        private final boolean originSent;
        private volatile UpgradeRefusal refusal;

        Capture(boolean originSent) {
            this.originSent = originSent;
        }

        UpgradeRefusal refusal() {
            return refusal;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (!originSent && msg instanceof HttpRequest request) {
                request.headers().remove(HttpHeaderNames.ORIGIN);
            }
            super.write(ctx, msg, promise);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse response) {
                if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    ctx.pipeline().remove(this);
                }
                else {
                    refusal = new UpgradeRefusal(response.status().code(),
                            response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                            response.headers().get(HttpHeaderNames.RETRY_AFTER),
                            ByteBufUtil.getBytes(response.content()));
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
