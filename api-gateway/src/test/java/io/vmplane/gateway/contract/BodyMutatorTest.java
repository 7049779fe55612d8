package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class BodyMutatorTest {

    private static List<BodyMutator.Mutant> bodies(long seed, int count) {
        var mutator = new BodyMutator(seed);
        List<BodyMutator.Mutant> bodies = new ArrayList<>();
        IntStream.range(0, count).forEach(i -> bodies.add(mutator.next()));
        return bodies;
    }

    @Test
    void shouldGenerateTheSameBodiesForTheSameSeed() {
        // Given two mutators with the same seed
        // When each makes 500 bodies
        List<BodyMutator.Mutant> first = bodies(42, 500);
        List<BodyMutator.Mutant> second = bodies(42, 500);
        // Then they are the same, body for body
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i).body()).as("body %d", i).isEqualTo(first.get(i).body());
            assertThat(second.get(i).description()).isEqualTo(first.get(i).description());
        }
    }

    @Test
    void shouldMakeEveryKindOfMutationInAThousandBodies() {
        assertThat(bodies(7, 1000)).extracting(BodyMutator.Mutant::kind)
                .contains("drop-required", "wrong-type", "out-of-range", "bad-pattern", "bad-enum", "unknown-field",
                        "removed-v1-field", "null-value", "conflicting-fields", "too-many-items", "admin-only-field",
                        "deep-nesting", "huge-string", "truncated-json", "not-an-object", "duplicate-member",
                        "invalid-utf8");
    }
}
