package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import org.junit.jupiter.api.Test;

class OperationWaitTest {

    @Test
    void shouldWaitThirtySecondsByDefaultAndAcceptZeroToSixty() {
        assertThat(OperationController.waitSeconds(null)).isEqualTo(30);
        assertThat(OperationController.waitSeconds("0")).isZero();
        assertThat(OperationController.waitSeconds("60")).isEqualTo(60);
    }

    @Test
    void shouldRejectATimeoutOutOfRangeNamingTheParameter() {
        for (String value : new String[] {"61", "-1", "abc", "", "1.5", "99999"}) {
            assertThatThrownBy(() -> OperationController.waitSeconds(value))
                    .as(value)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.problem().status()).isEqualTo(400);
                        assertThat(e.problem().errors()).extracting(FieldError::pointer).containsExactly("timeout");
                    });
        }
    }

    @Test
    void shouldCountOnlySucceededFailedAndCancelledAsEnded() {
        assertThat(OperationController.ended("succeeded")).isTrue();
        assertThat(OperationController.ended("failed")).isTrue();
        assertThat(OperationController.ended("cancelled")).isTrue();
        assertThat(OperationController.ended("pending")).isFalse();
        assertThat(OperationController.ended("running")).isFalse();
    }
}
