package io.vmplane.schemas.vm;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code PCIDeviceConfig}: either a host PCI {@code address} ({@code 0000:3b:00.0}) or a {@code vendorId} and
 * {@code productId} pair (four lower-case hex digits each) that placement resolves to a free device.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PciDeviceSpec(String address, String vendorId, String productId) {

    public boolean byAddress() {
        return address != null;
    }
}
