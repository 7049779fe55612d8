package io.vmplane.gateway.vm;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.PciDeviceSpec;
import io.vmplane.schemas.vm.StorageSpec;
import io.vmplane.store.VmRecord;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A VM as {@code GET /virtualization/virtualmachines/{id}} shows it. {@code reason} and {@code message} appear when
 * the VM failed, {@code domain_xml} for admins only.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VmView(String id, String name, String project, String status, String host,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String message,
                     int memory, int vcpus, StorageSpec storage, GraphicsSpec graphics, List<PciDeviceSpec> pciDevices,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String operationId,
                     Instant createdAt, Instant updatedAt,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String domainXml) {

    public static VmView of(VmRecord vm, boolean admin) {
        boolean failed = vm.status() == io.vmplane.schemas.vm.VmStatus.FAILED;
        return new VmView(vm.id(), vm.name(), vm.project(), vm.status().wire(), vm.host(),
                failed && vm.reason() != null ? vm.reason().name() : null,
                failed ? vm.message() : null,
                vm.spec().memory(), vm.spec().vcpus(), vm.spec().storage(), vm.spec().graphics(),
                vm.spec().pciDevices(), vm.operationId(), vm.createdAt(), vm.updatedAt(),
                admin ? vm.domainXml() : null);
    }
}
