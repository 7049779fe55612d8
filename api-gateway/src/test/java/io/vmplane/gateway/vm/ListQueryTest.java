package io.vmplane.gateway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmStore.PageCursor;
import org.junit.jupiter.api.Test;

class ListQueryTest {

    private static final Caller USER = new Caller("alice", "dev", false);
    private static final Caller ADMIN = new Caller("root", "ops", true);

    @Test
    void shouldDefaultToFiftyOfTheCallersProject() {
        // When
        ListQuery query = ListQuery.parse(Map.of(), USER);

        // Then
        assertThat(query).isEqualTo(new ListQuery(50, null, null, null, "dev"));
    }

    @Test
    void shouldListEveryProjectForAnAdminWithoutProjectFilter() {
        // When
        ListQuery all = ListQuery.parse(Map.of(), ADMIN);
        ListQuery one = ListQuery.parse(Map.of("project", List.of("dev")), ADMIN);

        // Then
        assertThat(all.project()).isNull();
        assertThat(one.project()).isEqualTo("dev");
    }

    @Test
    void shouldReadEveryFilter() {
        // Given
        var cursor = new PageCursor(1_700_000_000_000L, VmIds.newVmId());

        // When
        ListQuery query = ListQuery.parse(Map.of("page_size", List.of("200"), "status", List.of("running"),
                "host", List.of("sim-1"), "page_token", List.of(ListQuery.encodeToken(cursor))), USER);

        // Then
        assertThat(query).isEqualTo(new ListQuery(200, cursor, VmStatus.RUNNING, "sim-1", "dev"));
    }

    @Test
    void shouldRejectPageSizesOutOfRangeNamingTheParameter() {
        for (String size : List.of("0", "201", "-1", "abc", "1.5", "")) {
            assertThatThrownBy(() -> ListQuery.parse(Map.of("page_size", List.of(size)), USER))
                    .as(size)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.problem().status()).isEqualTo(400);
                        assertThat(e.problem().code()).isEqualTo("INVALID_QUERY");
                        assertThat(e.problem().errors()).extracting(FieldError::pointer).containsExactly("page_size");
                    });
        }
    }

    @Test
    void shouldRejectAnUnknownStatusATamperedTokenAndABadHost() {
        // When / Then
        assertThatThrownBy(() -> ListQuery.parse(Map.of("status", List.of("sleeping"), "page_token",
                List.of("not-a-token"), "host", List.of("../etc")), USER))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.problem().errors())
                        .extracting(FieldError::pointer)
                        .containsExactlyInAnyOrder("status", "page_token", "host"));
    }

    @Test
    void shouldRefuseAnotherProjectToANonAdmin() {
        // When / Then
        assertThatThrownBy(() -> ListQuery.parse(Map.of("project", List.of("other")), USER))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.problem().status()).isEqualTo(403));
        assertThat(ListQuery.parse(Map.of("project", List.of("dev")), USER).project()).isEqualTo("dev");
    }

    @Test
    void shouldRoundTripAPageToken() {
        // Given
        var cursor = new PageCursor(42, VmIds.newVmId());

        // When
        String token = ListQuery.encodeToken(cursor);

        // Then
        assertThat(token).matches("^[A-Za-z0-9_-]+$");
        assertThat(ListQuery.decodeToken(token)).isEqualTo(cursor);
        assertThat(ListQuery.decodeToken("")).isNull();
        assertThat(ListQuery.decodeToken("bm90OmFuLWlk")).isNull();
    }
}
