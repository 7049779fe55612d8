package io.vmplane.schemas.vm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code EnhancedGraphicsConfig}. {@code listen} and {@code port} are admin-only; null means the agent's default
 * listen address and an automatically allocated port.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GraphicsSpec(Type type, String listen, Integer port) {

    public static final GraphicsSpec DEFAULT = new GraphicsSpec(Type.VNC, null, null);

    public enum Type {
        @JsonProperty("vnc") VNC,
        @JsonProperty("spice") SPICE,
        @JsonProperty("none") NONE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
