package io.vmplane.console.vnc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class VncDesTest {

    @Test
    void shouldEncryptTheChallengeUnderTheBitReversedPassword() throws Exception {
        // Given a challenge and the password "pass" ('p' = 0x70 reversed is 0x0e, 'a' 0x61 → 0x86, 's' 0x73 → 0xce)
        byte[] challenge = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        byte[] key = HexFormat.of().parseHex("0e86cece00000000");
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        // When the response is computed
        byte[] response = VncDes.response("pass", challenge);
        // Then it is DES under the reversed key
        assertThat(response).isEqualTo(des.doFinal(challenge)).hasSize(16);
    }

    @Test
    void shouldUseOnlyTheFirstEightCharacters() {
        byte[] challenge = new byte[16];
        assertThat(VncDes.response("12345678-and-more", challenge)).isEqualTo(VncDes.response("12345678", challenge));
    }
}
