package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeadlessChromiumTest {

    @Test
    void shouldRedactConsoleTokensFromUrlsAndConsoleInfo() {
        // Given a console message with a WebSocket URL and a ConsoleInfo body
        String text = "log: Connected to ws://h/x/console/ws?token=AbC_-123&y=1 "
                + "200 {\"vm_id\":\"vm-1\",\"token\" : \"Zz9_-Q\",\"ws_url\":\"ws://h/ws?token=Zz9_-Q\"}";

        // When it is redacted
        String redacted = HeadlessChromium.redact(text);

        // Then no token is left, and the rest is
        assertThat(redacted).doesNotContain("AbC_-123", "Zz9_-Q")
                .contains("?token=…&y=1", "\"token\" : \"…\"", "\"vm_id\":\"vm-1\"");
    }
}
