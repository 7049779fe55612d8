package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StopRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldUseTheDefaultsWithoutABody() {
        assertThat(StopRequest.parse(null)).isEqualTo(new StopRequest(false, 60));
        assertThat(StopRequest.parse(JSON.readTree("{}"))).isEqualTo(new StopRequest(false, 60));
    }

    @Test
    void shouldReadForceAndTheGracefulTimeout() {
        assertThat(StopRequest.parse(JSON.readTree("{\"force\": true, \"graceful_timeout_seconds\": 3600}")))
                .isEqualTo(new StopRequest(true, 3600));
    }

    @Test
    void shouldRejectATimeoutOutOfRange() {
        for (String value : new String[] {"0", "3601", "-5", "1.5", "\"60\"", "99999999999"}) {
            assertThatThrownBy(() -> StopRequest.parse(JSON.readTree("{\"graceful_timeout_seconds\": " + value + "}")))
                    .as(value)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.problem().errors())
                            .extracting(FieldError::pointer).containsExactly("/graceful_timeout_seconds"));
        }
    }

    @Test
    void shouldRejectUnknownFieldsAndANonBooleanForce() {
        assertThatThrownBy(() -> StopRequest.parse(JSON.readTree("{\"force\": \"yes\", \"hard\": true}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.problem().code()).isEqualTo("UNKNOWN_FIELD");
                    assertThat(e.problem().errors()).extracting(FieldError::pointer)
                            .containsExactlyInAnyOrder("/force", "/hard");
                });
        assertThatThrownBy(() -> StopRequest.parse(JSON.readTree("[]")))
                .isInstanceOf(ApiException.class);
    }
}
