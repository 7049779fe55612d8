package io.vmplane.gateway.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import io.vmplane.gateway.GatewayProperties;
import io.vmplane.gateway.web.Problem;
import io.vmplane.gateway.web.ProblemWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.util.StringUtils;
import reactor.core.publisher.Mono;

/**
 * Bearer JWTs on every path but the OpenAPI document, its interactive page, the browser console's static page (its
 * console token travels in the URL fragment, see static/console/console.js) and health; stateless; every refusal is
 * a problem.
 * Paths here are within the base path.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    /** HS256 needs a key of at least 256 bits. */
    static final int MIN_SECRET_BYTES = 32;

    /**
     * A request Spring Security's firewall refuses before any filter (an encoded slash or backslash, a {@code ..}
     * segment, a {@code ;} path parameter, a control character, a header it does not accept) gets a 400 problem
     * instead of an empty 400. The detail is fixed: the refused text, which may belong to a token, is not echoed.
     */
    @Bean
    ServerExchangeRejectedHandler exchangeRejectedHandler(ProblemWriter problems) {
        return (exchange, ex) -> problems.write(exchange.getResponse(), Problem.of(400, "Bad Request", "REQUEST_REJECTED",
                "The request is refused: its path holds an encoded slash or backslash, a '..' segment, a ';' or a "
                        + "character not allowed, or a header is not accepted"), null);
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder,
                                                  ProblemWriter problems) {
        ServerAuthenticationEntryPoint entryPoint = (exchange, ex) ->
                unauthenticated(exchange.getResponse(), ex, problems);
        ServerAccessDeniedHandler denied = (exchange, ex) -> problems.write(exchange.getResponse(),
                Problem.of(403, "Forbidden", "FORBIDDEN", "Access to this resource is denied"), null);
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(auth -> auth
                        .pathMatchers("/openapi.yaml", "/openapi.json", "/docs", "/docs/**", "/actuator/health",
                                "/actuator/health/**", "/console/**",
                                // the console WebSocket: its one-time token is checked by the console proxy
                                "/virtualization/virtualmachines/*/console/ws")
                        .permitAll()
                        .anyExchange().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(denied))
                .oauth2ResourceServer(rs -> rs
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(denied)
                        .jwt(jwt -> jwt.jwtDecoder(decoder).jwtAuthenticationConverter(
                                new ReactiveJwtAuthenticationConverterAdapter(new JwtRoles()))))
                .build();
    }

    @Bean
    ReactiveJwtDecoder jwtDecoder(GatewayProperties properties) {
        NimbusReactiveJwtDecoder decoder = properties.jwksUri() != null
                ? NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwksUri().toString())
                        .jwsAlgorithm(SignatureAlgorithm.RS256)
                        .jwsAlgorithm(SignatureAlgorithm.ES256)
                        .build()
                : NimbusReactiveJwtDecoder
                        .withSecretKey(new SecretKeySpec(readSecret(properties), "HmacSHA256"))
                        .macAlgorithm(MacAlgorithm.HS256)
                        .build();
        decoder.setJwtValidator(validator(properties.issuer()));
        return decoder;
    }

    /** The claims every token must satisfy, whichever identity provider signed it. */
    static OAuth2TokenValidator<Jwt> validator(String issuer) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(List.of(JwtValidators.createDefault(),
                requireClaim("sub"), requireClaim(JwtRoles.PROJECT_CLAIM), requireExpiry(),
                requireName("sub"), requireName(JwtRoles.PROJECT_CLAIM)));
        if (issuer != null) {
            validators.add(new JwtIssuerValidator(issuer));
        }
        return new DelegatingOAuth2TokenValidator<>(validators);
    }

    /** The file's trimmed text as UTF-8 bytes; the secret itself never reaches a message or a log. */
    static byte[] readSecret(GatewayProperties properties) {
        String text;
        try {
            text = Files.readString(properties.jwtSecretFile(), StandardCharsets.UTF_8).trim();
        }
        catch (IOException e) {
            throw new IllegalStateException("vmplane.gateway.jwt-secret-file: cannot read "
                    + properties.jwtSecretFile() + " (" + e.getClass().getSimpleName() + ")", e);
        }
        byte[] key = text.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalStateException("vmplane.gateway.jwt-secret-file: the secret in "
                    + properties.jwtSecretFile() + " must be at least " + MIN_SECRET_BYTES + " bytes, is "
                    + key.length);
        }
        return key;
    }

    private static final java.util.regex.Pattern CLAIM_NAME =
            java.util.regex.Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$");

    private static OAuth2TokenValidator<Jwt> requireClaim(String claim) {
        OAuth2Error error = new OAuth2Error("invalid_token", "The token lacks the claim " + claim, null);
        return jwt -> StringUtils.hasText(jwt.getClaimAsString(claim))
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(error);
    }

    /** A token without {@code exp} would never expire: refused. */
    private static OAuth2TokenValidator<Jwt> requireExpiry() {
        OAuth2Error error = new OAuth2Error("invalid_token", "The token has no exp claim", null);
        return jwt -> jwt.getExpiresAt() != null
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(error);
    }

    /** User and project names end up in keys and logs: plain names only. */
    private static OAuth2TokenValidator<Jwt> requireName(String claim) {
        OAuth2Error error = new OAuth2Error("invalid_token", "The claim " + claim + " is not a plain name", null);
        return jwt -> jwt.getClaims().get(claim) instanceof String value && CLAIM_NAME.matcher(value).matches()
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(error);
    }

    private static Mono<Void> unauthenticated(ServerHttpResponse response, AuthenticationException ex,
                                              ProblemWriter problems) {
        HttpHeaders headers = response.getHeaders();
        if (ex instanceof OAuth2AuthenticationException) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            return problems.write(response, Problem.of(401, "Unauthorized", "INVALID_TOKEN",
                    "The bearer token is malformed, expired or without exp, wrongly signed or issued, or lacks a plain sub or project claim"),
                    null);
        }
        headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return problems.write(response, Problem.of(401, "Unauthorized", "UNAUTHENTICATED",
                "This endpoint needs an Authorization: Bearer <JWT> header"), null);
    }
}
