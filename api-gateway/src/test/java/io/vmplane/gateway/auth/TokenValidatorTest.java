package io.vmplane.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

/** The claims a token must carry, in either identity-provider mode. */
class TokenValidatorTest {

    private static Jwt token(String issuer) {
        var builder = Jwt.withTokenValue("t").header("alg", "HS256").subject("alice").claim("project", "p1")
                .issuedAt(Instant.now().minusSeconds(5)).expiresAt(Instant.now().plusSeconds(300));
        if (issuer != null) {
            builder.issuer(issuer);
        }
        return builder.build();
    }

    @Test
    void shouldAcceptAnyIssuerWhenNoneIsConfigured() {
        assertThat(SecurityConfiguration.validator(null).validate(token("https://anyone.example")).hasErrors())
                .isFalse();
        assertThat(SecurityConfiguration.validator(null).validate(token(null)).hasErrors()).isFalse();
    }

    @Test
    void shouldRequireTheConfiguredIssuer() {
        var validator = SecurityConfiguration.validator("https://idp.example");
        assertThat(validator.validate(token("https://idp.example")).hasErrors()).isFalse();
        assertThat(validator.validate(token("https://elsewhere.example")).hasErrors()).isTrue();
        assertThat(validator.validate(token(null)).hasErrors()).isTrue();
    }
}
