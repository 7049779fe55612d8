package io.vmplane.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 bearer tokens, signed the way {@code ./dev token} signs them. */
final class Tokens {

    private final String secret;

    Tokens(String secret) {
        this.secret = secret;
    }

    String user(String user, String project) {
        return sign(user, project, "[]");
    }

    String admin() {
        return sign("admin", "ops", "[\"admin\"]");
    }

    private String sign(String user, String project, String roles) {
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String claims = b64("{\"sub\":\"" + user + "\",\"project\":\"" + project + "\",\"roles\":" + roles
                + ",\"iss\":\"vmplane-e2e\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        }
        catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
