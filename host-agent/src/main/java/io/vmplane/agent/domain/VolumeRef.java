package io.vmplane.agent.domain;

import java.util.Objects;

/** A volume in a libvirt storage pool, named the way a {@code <disk type='volume'>} source names it. */
public record VolumeRef(String pool, String volume) {

    public VolumeRef {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(volume, "volume");
    }

    @Override
    public String toString() {
        return pool + "/" + volume;
    }
}
