package io.vmplane.store.console;

import java.time.Instant;

/**
 * What a console token opens, as the gateway issued it: stored in Redis under the token's SHA-256 only, never under
 * the token itself, and handed to exactly one console proxy by {@link ConsoleStore#consume}.
 *
 * @param vmId         the VM whose console it opens (the proxy refuses the token on any other VM's path)
 * @param user         the user the token was issued to
 * @param project      the VM's project
 * @param protocol     {@code vnc} or {@code spice}
 * @param hostId       the host the VM runs on
 * @param address      where the console listens: the host's {@code console_address}
 * @param port         the VNC/SPICE port read from the live domain XML
 * @param vncPassword  the VNC password the host agent set on the domain, or null; never logged
 * @param issuedAt     when the gateway issued the token
 * @param expiresAt    when it stops opening anything (also the Redis TTL of the grant)
 */
public record ConsoleGrant(String vmId, String user, String project, String protocol, String hostId, String address,
                           int port, String vncPassword, Instant issuedAt, Instant expiresAt) {

    @Override
    public String toString() {
        // the password must never reach a log line through a record's toString
        return "ConsoleGrant[vmId=" + vmId + ", user=" + user + ", protocol=" + protocol + ", host=" + hostId + ", "
                + address + ":" + port + ", expiresAt=" + expiresAt + "]";
    }
}
