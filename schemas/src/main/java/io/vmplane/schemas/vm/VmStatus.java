package io.vmplane.schemas.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A VM's status as the API shows it. */
public enum VmStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("provisioning") PROVISIONING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("stopping") STOPPING,
    @JsonProperty("stopped") STOPPED,
    @JsonProperty("deleting") DELETING,
    @JsonProperty("deleted") DELETED,
    @JsonProperty("failed") FAILED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static VmStatus fromWire(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    /** A status that ends the operation that produced it. */
    public boolean terminal() {
        return this == RUNNING || this == STOPPED || this == DELETED || this == FAILED;
    }
}
