package io.vmplane.schemas.vm;

import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code StorageConfig}: the pool new disks go to unless they name one, an optional boot ISO (a volume name in
 * {@code defaultPool}, never a path) and the disks in bus order.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StorageSpec(String defaultPool, String bootIso, List<DiskSpec> disks) {

    public StorageSpec {
        disks = disks == null ? List.of() : List.copyOf(disks);
    }
}
