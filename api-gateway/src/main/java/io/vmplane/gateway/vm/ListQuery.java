package io.vmplane.gateway.vm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.FieldError;
import io.vmplane.gateway.web.Problem;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.VmStore.PageCursor;

/**
 * The query of {@code GET /virtualization/virtualmachines}, checked: a pure function of the query parameters and
 * the caller. A bad value is a 400 problem whose field errors name the parameter as pointer.
 *
 * @param project the project whose VMs to list, null for every project (admins only)
 * @param after   where the page starts (from {@code page_token}), null for the newest
 * @param status  only VMs in this status, or null
 * @param host    only VMs on this host, or null
 */
public record ListQuery(int pageSize, PageCursor after, VmStatus status, String host, String project) {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 200;

    static final Set<String> PARAMETERS = Set.of("page_size", "page_token", "status", "host", "project");

    /** The statuses a client may filter by: every status (a filter by {@code deleted} finds nothing). */
    static final List<VmStatus> LISTED_STATUSES = Arrays.asList(VmStatus.values());

    public static ListQuery parse(Map<String, List<String>> params, Caller caller) {
        var errors = new ArrayList<FieldError>();
        for (var entry : params.entrySet()) {
            if (PARAMETERS.contains(entry.getKey()) && entry.getValue().size() > 1) {
                errors.add(new FieldError(entry.getKey(), ErrorCodes.INVALID_VALUE,
                        "Query parameter '" + entry.getKey() + "' may be given once"));
            }
        }
        int pageSize = pageSize(single(params, "page_size"), errors);
        PageCursor after = null;
        String token = single(params, "page_token");
        if (token != null) {
            after = decodeToken(token);
            if (after == null) {
                errors.add(new FieldError("page_token", ErrorCodes.INVALID_FORMAT,
                        "page_token must be a next_page_token this API returned"));
            }
        }
        VmStatus status = null;
        String statusText = single(params, "status");
        if (statusText != null) {
            status = LISTED_STATUSES.stream().filter(s -> s.wire().equals(statusText)).findFirst().orElse(null);
            if (status == null) {
                errors.add(new FieldError("status", ErrorCodes.INVALID_VALUE, "status must be one of "
                        + LISTED_STATUSES.stream().map(VmStatus::wire).toList()));
            }
        }
        String host = single(params, "host");
        if (host != null && !CreateRequestRules.HOST_ID.matcher(host).matches()) {
            errors.add(new FieldError("host", ErrorCodes.INVALID_FORMAT,
                    "host must match " + CreateRequestRules.HOST_ID.pattern()));
        }
        String project = single(params, "project");
        if (project != null && project.isEmpty()) {
            errors.add(new FieldError("project", ErrorCodes.INVALID_VALUE, "project must not be empty"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(Problem.of(400, "Bad Request", "INVALID_QUERY", errors.get(0).message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more problems, see errors)" : ""))
                    .withErrors(errors));
        }
        if (project != null && !caller.admin() && !project.equals(caller.project())) {
            throw new ApiException(Problem.of(403, "Forbidden", ErrorCodes.FORBIDDEN_FIELD,
                    "Only admins may list the VMs of another project")
                    .withErrors(List.of(new FieldError("project", ErrorCodes.FORBIDDEN_FIELD,
                            "Only admins may set project"))));
        }
        String scope = caller.admin() ? project : caller.project();
        return new ListQuery(pageSize, after, status, host, scope);
    }

    /** Whether a VM belongs in the answer: never a deleted one, and it matches the filters. */
    public boolean matches(io.vmplane.store.VmRecord vm) {
        return vm.status() != VmStatus.DELETED
                && (project == null || project.equals(vm.project()))
                && (status == null || status == vm.status())
                && (host == null || host.equals(vm.host()));
    }

    /** base64url (no padding) of {@code <created-at epoch ms>:<vm id>}. */
    public static String encodeToken(PageCursor cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (cursor.createdAtMillis() + ":" + cursor.vmId()).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of a token, or null when it is not one this API made. */
    public static PageCursor decodeToken(String token) {
        if (token.isEmpty() || token.length() > 200) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 1) {
                return null;
            }
            String millis = text.substring(0, colon);
            String vmId = text.substring(colon + 1);
            if (!millis.matches("^[0-9]{1,18}$") || !VmIds.VM_ID.matcher(vmId).matches()) {
                return null;
            }
            return new PageCursor(Long.parseLong(millis), vmId);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int pageSize(String text, List<FieldError> errors) {
        if (text == null) {
            return DEFAULT_PAGE_SIZE;
        }
        if (text.matches("^[0-9]{1,9}$")) {
            int size = Integer.parseInt(text);
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        }
        errors.add(new FieldError("page_size", ErrorCodes.OUT_OF_RANGE,
                "page_size must be an integer from 1 to " + MAX_PAGE_SIZE));
        return DEFAULT_PAGE_SIZE;
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
