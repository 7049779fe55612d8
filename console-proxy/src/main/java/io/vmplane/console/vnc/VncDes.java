package io.vmplane.console.vnc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * VNC authentication (RFB security type 2): the 16-byte challenge encrypted with DES (ECB, no padding) under the
 * password's first 8 bytes, zero-padded, each byte's bits reversed (the RFB quirk). The JDK's DES cipher does it.
 */
public final class VncDes {

    public static final int CHALLENGE_LENGTH = 16;

    private VncDes() {
    }

    /** The response to {@code challenge} for {@code password}; the key bytes are wiped afterwards. */
    public static byte[] response(String password, byte[] challenge) {
        if (challenge.length != CHALLENGE_LENGTH) {
            throw new IllegalArgumentException("a VNC challenge has 16 bytes, not " + challenge.length);
        }
        byte[] key = new byte[8];
        byte[] raw = password.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < Math.min(8, raw.length); i++) {
            key[i] = (byte) (Integer.reverse(raw[i] & 0xff) >>> 24);
        }
        Arrays.fill(raw, (byte) 0);
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
            return des.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's DES cipher is unavailable: " + e.getMessage(), e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
