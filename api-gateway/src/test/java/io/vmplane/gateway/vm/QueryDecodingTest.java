package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.util.LinkedMultiValueMap;

class QueryDecodingTest {

    @Test
    void shouldDecodeQueryValuesAndKeepAMalformedEscapeForTheValidation() {
        // Given
        var raw = new LinkedMultiValueMap<String, String>();
        raw.add("project", "team%20a");
        raw.add("host", "sim%2");
        raw.add("page_size", null);

        // When
        var decoded = VmController.decoded(raw);

        // Then
        assertThat(decoded.get("project")).containsExactly("team a");
        assertThat(decoded.get("host")).containsExactly("sim%2");
        assertThat(decoded.get("page_size")).containsExactly("");
    }
}
