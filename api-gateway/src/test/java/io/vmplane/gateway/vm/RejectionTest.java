package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmplane.gateway.web.Problem;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class RejectionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Problem rejection(String body, boolean admin) {
        return VmController.rejection(CreateRequestValidator.validate(JSON.readTree(body), admin)).problem();
    }

    @Test
    void shouldAnswerRemovedFieldCodeWhenAV1FieldIsSent() {
        Problem problem = rejection("""
                {"name": "vm", "memory": 1024, "vcpus": 1, "storage_pool": "default"}""", false);
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.code()).isEqualTo("REMOVED_FIELD");
        assertThat(problem.errors()).hasSize(2);
        assertThat(problem.detail()).contains("storage_pool").contains("storage.default_pool");
    }

    @Test
    void shouldAnswerUnknownFieldCodeWhenOnlyUnknownFieldsAreWrong() {
        Problem problem = rejection(Examples.SIMPLE.replace("\"vcpus\": 2", "\"vcpus\": 2, \"cpu\": 2"), false);
        assertThat(problem.code()).isEqualTo("UNKNOWN_FIELD");
        assertThat(problem.errors()).singleElement().satisfies(e -> assertThat(e.pointer()).isEqualTo("/cpu"));
    }

    @Test
    void shouldAnswerValidationFailedForOtherErrors() {
        Problem problem = rejection(Examples.SIMPLE.replace("4096", "64"), false);
        assertThat(problem.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(problem.type()).isEqualTo("urn:vmplane:problem:validation-failed");
        assertThat(problem.body()).containsKeys("type", "title", "status", "detail", "code", "errors");
    }

    @Test
    void shouldAnswer403NamingOnlyTheForbiddenFieldsForNonAdmins() {
        Problem problem = rejection(Examples.SIMPLE.replace("\"vcpus\": 2",
                "\"vcpus\": 0, \"placement\": {\"host\": \"qemu-1\"}"), false);
        assertThat(problem.status()).isEqualTo(403);
        assertThat(problem.code()).isEqualTo("FORBIDDEN_FIELD");
        assertThat(problem.detail()).contains("/placement");
        assertThat(problem.errors()).singleElement().satisfies(e -> assertThat(e.pointer()).isEqualTo("/placement"));
    }
}
