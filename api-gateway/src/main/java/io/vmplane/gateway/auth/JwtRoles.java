package io.vmplane.gateway.auth;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** Claim {@code roles} (a list of strings) → authorities {@code ROLE_<ROLE>}; the principal's name is {@code sub}. */
public final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    public static final String ROLES_CLAIM = "roles";
    public static final String PROJECT_CLAIM = "project";
    public static final String ADMIN_AUTHORITY = "ROLE_ADMIN";

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        return new JwtAuthenticationToken(jwt, authorities(jwt), jwt.getSubject());
    }

    static Collection<GrantedAuthority> authorities(Jwt jwt) {
        Object claim = jwt.getClaims().get(ROLES_CLAIM);
        if (!(claim instanceof Collection<?> roles)) {
            return List.of();
        }
        return roles.stream()
                .filter(String.class::isInstance)
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority(
                        "ROLE_" + ((String) r).toUpperCase(Locale.ROOT)))
                .toList();
    }
}
