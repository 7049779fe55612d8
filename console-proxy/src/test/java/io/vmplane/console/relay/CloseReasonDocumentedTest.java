package io.vmplane.console.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.vmplane.console.ws.ConsoleError;

/**
 * Every code the proxy sends (a refusal's body, a close frame's reason) is in the OpenAPI document's
 * {@code ConsoleError} enum, and its close status is the one the document's table gives.
 */
class CloseReasonDocumentedTest {

    @Test
    void everyCloseReasonIsInTheEnumWithItsCloseStatus() throws Exception {
        String schema = consoleErrorSchema();
        List<String> codes = enumOf(schema);
        for (CloseReason reason : constants(CloseReason.class, CloseReason.class)) {
            assertThat(codes).as("ConsoleError.code enum").contains(reason.code());
            assertThat(schema).as("the table row of " + reason.code())
                    .containsPattern("\\| `" + reason.code() + "` \\|[^|\\n]*\\| [^|\\n]*" + reason.status());
        }
    }

    @Test
    void everyRefusalCodeIsInTheEnum() throws Exception {
        List<String> codes = enumOf(consoleErrorSchema());
        List<String> refusals = new ArrayList<>(constants(ConsoleError.class, String.class));
        refusals.add("NOT_A_WEBSOCKET");
        assertThat(refusals).isNotEmpty();
        assertThat(codes).containsAll(refusals);
    }

    private static <T> List<T> constants(Class<?> holder, Class<T> type) throws IllegalAccessException {
        List<T> values = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == type) {
                values.add(type.cast(field.get(null)));
            }
        }
        return values;
    }

    private static String consoleErrorSchema() throws IOException {
        try (InputStream in = CloseReasonDocumentedTest.class.getResourceAsStream("/openapi/openapi.yaml")) {
            assertThat(in).as("the OpenAPI document on the class path").isNotNull();
            String document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int start = document.indexOf("\n    ConsoleError:\n");
            assertThat(start).isPositive();
            int end = document.indexOf("\n    Console", start + 10);
            return document.substring(start, end);
        }
    }

    private static List<String> enumOf(String schema) {
        Matcher m = Pattern.compile("enum: \\[([^\\]]*)]").matcher(schema);
        assertThat(m.find()).as("an enum in the ConsoleError schema").isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
    }
}
