package io.vmplane.gateway.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** A temp HS256 secret file, as the launcher writes one, and tokens signed with it. */
final class ContractTokens {

    private final Path secretFile;
    private final byte[] key;

    private ContractTokens(Path secretFile, byte[] key) {
        this.secretFile = secretFile;
        this.key = key;
    }

    static ContractTokens newSecret() {
        byte[] random = new byte[48];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getEncoder().encodeToString(random);
        try {
            Path file = Files.createTempFile("gateway-contract-jwt", ".secret");
            file.toFile().deleteOnExit();
            Files.writeString(file, secret + "\n");
            return new ContractTokens(file, secret.getBytes(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path secretFile() {
        return secretFile;
    }

    String user(String user, String project) {
        return mint(user, project, List.of());
    }

    String admin(String user, String project) {
        return mint(user, project, List.of("admin"));
    }

    private String mint(String user, String project, List<String> roles) {
        var claims = new JWTClaimsSet.Builder().subject(user).claim("project", project).claim("roles", roles)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key));
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
