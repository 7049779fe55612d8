package io.vmplane.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ProblemTest {

    @Test
    void shouldWriteRfc9457MembersThenErrorsThenExtensions() {
        // Given a problem with field errors and an extension member
        Problem problem = Problem.of(400, "Bad Request", "VALIDATION_FAILED", "memory is too small")
                .withErrors(List.of(new FieldError("/memory", "OUT_OF_RANGE", "memory must be between 128 and 4194304")))
                .with("vm_id", "vm-1");
        // When it is written as JSON
        String json = JsonMapper.builder().build().writeValueAsString(problem.body());
        // Then the members come in order, snake_case, with the pointer
        assertThat(json).isEqualTo("{\"type\":\"urn:vmplane:problem:validation-failed\",\"title\":\"Bad Request\","
                + "\"status\":400,\"detail\":\"memory is too small\",\"code\":\"VALIDATION_FAILED\",\"errors\":"
                + "[{\"pointer\":\"/memory\",\"code\":\"OUT_OF_RANGE\",\"message\":\"memory must be between 128 and "
                + "4194304\"}],\"vm_id\":\"vm-1\"}");
    }

    @Test
    void shouldOmitErrorsWhenThereAreNone() {
        assertThat(Problem.of(404, "Not Found", "VM_NOT_FOUND", "No VM").body()).doesNotContainKey("errors");
    }
}
