package io.vmplane.schemas.host;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** An agent's periodic sign of life on {@code host.heartbeats.v1}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostHeartbeat(String hostId, HostStatus status, Instant at) {

    /** {@code unreachable} is never reported by an agent: it is what a missing heartbeat means. */
    public enum HostStatus {
        @JsonProperty("up") UP,
        @JsonProperty("degraded") DEGRADED,
        @JsonProperty("unreachable") UNREACHABLE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
