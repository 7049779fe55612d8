package io.vmplane.schemas.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code DiskCreateConfigV2}, normalised: {@code pool}, {@code format} and {@code bus} are always set.
 *
 * @param action  create a new volume, or attach an existing one
 * @param size    GiB, for {@link Action#CREATE}; null for attach
 * @param pool    the pool holding the volume
 * @param volume  the existing volume's name, for {@link Action#ATTACH}; null for create
 * @param format  the volume format
 * @param bus     the disk bus in the guest
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DiskSpec(Action action, Long size, String pool, String volume, Format format, Bus bus) {

    public enum Action {
        @JsonProperty("create") CREATE,
        @JsonProperty("attach") ATTACH
    }

    public enum Format {
        @JsonProperty("qcow2") QCOW2,
        @JsonProperty("raw") RAW;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Bus {
        @JsonProperty("virtio") VIRTIO,
        @JsonProperty("sata") SATA,
        @JsonProperty("scsi") SCSI;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
