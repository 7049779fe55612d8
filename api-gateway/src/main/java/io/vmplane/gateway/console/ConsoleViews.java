package io.vmplane.gateway.console;

import java.time.Instant;
import java.util.List;

import io.vmplane.store.console.ConsoleSession;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** The console endpoints' answers, as the OpenAPI document names them. */
final class ConsoleViews {

    private ConsoleViews() {
    }

    /** {@code ConsoleInfo}: how to open the console. The token is in no log line: only this body carries it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ConsoleInfo(String vmId, String protocol, String token, String wsUrl, Instant expiresAt) {

        @Override
        public String toString() {
            return "ConsoleInfo[vmId=" + vmId + ", protocol=" + protocol + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** {@code ConsoleConnection}: one live session. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ConsoleConnection(String id, String vmId, String user, String protocol, String proxyInstance,
                             String clientAddress, Instant connectedAt, Instant lastActivity, long bytesFromClient,
                             long bytesToClient) {

        static ConsoleConnection of(ConsoleSession session) {
            return new ConsoleConnection(session.id(), session.vmId(), session.user(), session.protocol(),
                    session.proxyInstance(), session.clientAddress(), session.connectedAt(), session.lastActivity(),
                    session.bytesFromClient(), session.bytesToClient());
        }
    }

    /** {@code ConsoleStats}: the VM's sessions across every proxy instance. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ConsoleStats(String vmId, int activeConnections, long totalConnections, long bytesFromClient,
                        long bytesToClient, List<ConsoleConnection> connections) {

        static ConsoleStats of(String vmId, List<ConsoleSession> sessions, long total) {
            List<ConsoleConnection> connections = sessions.stream()
                    .sorted(java.util.Comparator.comparing(ConsoleSession::connectedAt,
                            java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())))
                    .map(ConsoleConnection::of).toList();
            return new ConsoleStats(vmId, connections.size(), Math.max(total, connections.size()),
                    sessions.stream().mapToLong(ConsoleSession::bytesFromClient).sum(),
                    sessions.stream().mapToLong(ConsoleSession::bytesToClient).sum(), connections);
        }
    }

    /** {@code ConsoleConfig}: the effective console configuration. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ConsoleConfig(long tokenTtlSeconds, int maxConnectionsPerVm, long idleTimeoutSeconds,
                         List<String> allowedOrigins, List<String> instances, int tokensPerMinute,
                         List<String> proxies, String wsBaseUrl) {
    }
}
