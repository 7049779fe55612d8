package io.vmplane.schemas.vm;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Admin-only placement: pin the VM to one host id. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PlacementSpec(String host) {
}
