package io.vmplane.agent.provision;

import io.vmplane.schemas.vm.FailureCode;

/** A provisioning step found a reason the VM cannot be created here; it becomes a failed VM event. */
final class ProvisionFailure extends RuntimeException {

    private final FailureCode code;

    ProvisionFailure(FailureCode code, String message) {
        super(message);
        this.code = code;
    }

    FailureCode code() {
        return code;
    }
}
