package io.vmplane.console.session;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.vmplane.console.relay.CloseReason;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleSession;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One console session held by this instance: a VNC socket, or a SPICE main channel with the further channels of its
 * session. Its life is OPEN → CLOSED ({@link #close}); the first close reason wins and closes every channel. Counters
 * are updated from event-loop threads without locks.
 */
public final class LiveSession {

    private final String id;
    private final ConsoleGrant grant;
    private final String tokenHash;
    private final String clientAddress;
    private final String instanceId;
    private final Instant connectedAt;
    private final AtomicLong lastActivity;
    private final AtomicLong bytesFromClient = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicLong spiceConnectionId = new AtomicLong();
    private final AtomicInteger channels = new AtomicInteger();
    private final AtomicReference<CloseReason> closed = new AtomicReference<>();
    private final Sinks.One<CloseReason> closeSignal = Sinks.one();
    private volatile long lastStoredAt;

    public LiveSession(String id, ConsoleGrant grant, String tokenHash, String clientAddress, String instanceId,
                       Instant connectedAt) {
        this.id = id;
        this.grant = grant;
        this.tokenHash = tokenHash;
        this.clientAddress = clientAddress;
        this.instanceId = instanceId;
        this.connectedAt = connectedAt;
        this.lastActivity = new AtomicLong(connectedAt.toEpochMilli());
    }

    public String id() {
        return id;
    }

    public ConsoleGrant grant() {
        return grant;
    }

    public String vmId() {
        return grant.vmId();
    }

    public String user() {
        return grant.user();
    }

    public boolean isSpice() {
        return "spice".equals(grant.protocol());
    }

    /** SHA-256 of the token that opened it (the key SPICE channels of this session are found by); never the token. */
    public String tokenHash() {
        return tokenHash;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    public long lastActivityMillis() {
        return lastActivity.get();
    }

    public void fromClient(int bytes, long nowMillis) {
        bytesFromClient.addAndGet(bytes);
        lastActivity.set(nowMillis);
    }

    public void toClient(int bytes, long nowMillis) {
        bytesToClient.addAndGet(bytes);
        lastActivity.set(nowMillis);
    }

    /** The SPICE session's connection_id, 0 until the main channel's MAIN_INIT passed. */
    public long spiceConnectionId() {
        return spiceConnectionId.get();
    }

    public void spiceConnectionId(long connectionId) {
        spiceConnectionId.compareAndSet(0, connectionId);
    }

    public int openChannel() {
        return channels.incrementAndGet();
    }

    public void channelClosed() {
        channels.decrementAndGet();
    }

    public boolean isOpen() {
        return closed.get() == null;
    }

    /** Ends the session (first reason wins); true when this call ended it. */
    public boolean close(CloseReason reason) {
        if (closed.compareAndSet(null, reason)) {
            closeSignal.tryEmitValue(reason);
            return true;
        }
        return false;
    }

    /** Emits the reason once the session is closed (at once when it already is). */
    public Mono<CloseReason> closed() {
        return closeSignal.asMono();
    }

    long lastStoredAt() {
        return lastStoredAt;
    }

    void stored(long nowMillis) {
        lastStoredAt = nowMillis;
    }

    /** The record other instances and the gateway read. */
    public ConsoleSession snapshot() {
        return new ConsoleSession(id, grant.vmId(), grant.protocol(), grant.user(), clientAddress, instanceId,
                connectedAt, Instant.ofEpochMilli(lastActivity.get()), bytesFromClient.get(), bytesToClient.get(),
                spiceConnectionId.get());
    }
}
