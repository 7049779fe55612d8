package io.vmplane.gateway.auth;

import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who makes a request, from the bearer token: {@code sub} is the user, claim {@code project} the project, role
 * {@code admin} in claim {@code roles} makes an admin.
 */
public record Caller(String user, String project, boolean admin) {

    /** Callers see their own project's VMs and operations; admins see every project's. */
    public boolean maySee(String project) {
        return admin || this.project.equals(project);
    }

    public static Caller of(JwtAuthenticationToken token) {
        boolean admin = token.getAuthorities().stream()
                .anyMatch(a -> JwtRoles.ADMIN_AUTHORITY.equals(a.getAuthority()));
        return new Caller(token.getToken().getSubject(), token.getToken().getClaimAsString(JwtRoles.PROJECT_CLAIM),
                admin);
    }
}
