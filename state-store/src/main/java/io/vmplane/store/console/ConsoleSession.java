package io.vmplane.store.console;

import java.time.Instant;

/**
 * A live console connection as the proxy instance holding it last wrote it (every few seconds while it lives).
 *
 * @param id             the session id (random, not the token)
 * @param vmId           the VM
 * @param protocol       {@code vnc} or {@code spice}
 * @param user           the user of the token that opened it
 * @param clientAddress  the browser's address as the proxy saw it
 * @param proxyInstance  the proxy instance holding the connection
 * @param connectedAt    when the upstream connection was made
 * @param lastActivity   the last frame either way (pings excluded)
 * @param bytesFromClient bytes relayed browser → VM
 * @param bytesToClient  bytes relayed VM → browser
 * @param spiceConnectionId the SPICE {@code connection_id} of the session's main channel, or 0 (VNC, or not yet known)
 */
public record ConsoleSession(String id, String vmId, String protocol, String user, String clientAddress,
                             String proxyInstance, Instant connectedAt, Instant lastActivity, long bytesFromClient,
                             long bytesToClient, long spiceConnectionId) {
}
