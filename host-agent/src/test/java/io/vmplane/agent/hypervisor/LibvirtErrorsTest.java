package io.vmplane.agent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;

class LibvirtErrorsTest {

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            // libvirtd killed mid-call: "End of file while reading data: Input/output error"
            "VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC",
            // a call on a connection whose socket is gone: "internal error: client socket is closed"
            "VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC",
            // no daemon to connect to: "Failed to connect socket to '/var/run/libvirt/libvirt-sock'"
            "VIR_ERR_SYSTEM_ERROR, VIR_FROM_REMOTE",
            "VIR_ERR_NO_CONNECT, VIR_FROM_NONE",
            "VIR_ERR_INVALID_CONN, VIR_FROM_NONE",
            "VIR_ERR_RPC, VIR_FROM_RPC",
            "VIR_ERR_AUTH_UNAVAILABLE, VIR_FROM_RPC",
            "VIR_ERR_NO_SERVER, VIR_FROM_RPC"
    })
    void shouldTreatBrokenConnectionsAsConnectionErrors(ErrorNumber code, ErrorDomain domain) {
        assertThat(LibvirtErrors.classify(code, domain)).isEqualTo(LibvirtErrors.Kind.CONNECTION);
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "VIR_ERR_DOM_EXIST, VIR_FROM_QEMU",
            "VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN",
            "VIR_ERR_XML_DETAIL, VIR_FROM_XML",
            "VIR_ERR_NO_DOMAIN, VIR_FROM_QEMU",
            "VIR_ERR_NO_STORAGE_POOL, VIR_FROM_STORAGE",
            "VIR_ERR_STORAGE_VOL_EXIST, VIR_FROM_STORAGE",
            "VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU",
            "VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN",
            "VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_QEMU",
            // a system error of a storage backend (cannot create a file) is not the connection's
            "VIR_ERR_SYSTEM_ERROR, VIR_FROM_STORAGE",
            "VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU",
            "VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU"
    })
    void shouldNeverRetryLibvirtsDefiniteAnswers(ErrorNumber code, ErrorDomain domain) {
        assertThat(LibvirtErrors.classify(code, domain)).isEqualTo(LibvirtErrors.Kind.PERMANENT);
    }

    @Test
    void shouldRetryABusyDomainJobLockWithoutBlamingTheConnection() {
        // "Timed out during operation: cannot acquire state change lock"
        assertThat(LibvirtErrors.classify(ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, ErrorDomain.VIR_FROM_QEMU))
                .isEqualTo(LibvirtErrors.Kind.BUSY);
    }

    @Test
    void shouldClassifyTheErrorCarriedByAFailure() {
        assertThat(LibvirtErrors.classify(LibvirtFailures.error(ErrorNumber.VIR_ERR_SYSTEM_ERROR,
                ErrorDomain.VIR_FROM_RPC))).isEqualTo(LibvirtErrors.Kind.CONNECTION);
        assertThat(LibvirtErrors.classify(new IllegalStateException("not libvirt's")))
                .isEqualTo(LibvirtErrors.Kind.PERMANENT);
        assertThat(LibvirtErrors.classify(null, ErrorDomain.VIR_FROM_RPC)).isEqualTo(LibvirtErrors.Kind.PERMANENT);
    }
}
