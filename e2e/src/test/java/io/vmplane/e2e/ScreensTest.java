package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

class ScreensTest {

    @Test
    void shouldDecodeABinaryPpmAsQemuWritesIt() {
        // Given a 2x1 PPM: one red pixel, one blue
        byte[] header = "P6\n2 1\n255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] ppm = new byte[header.length + 6];
        System.arraycopy(header, 0, ppm, 0, header.length);
        ppm[header.length] = (byte) 0xFF;
        ppm[header.length + 5] = (byte) 0xFF;

        // When it is decoded
        BufferedImage image = Screens.decode(ppm);

        // Then it has its size and colours
        assertThat(image.getWidth()).isEqualTo(2);
        assertThat(image.getHeight()).isEqualTo(1);
        assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(image.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0x0000FF);
        assertThat(Screens.colours(image, 16)).isEqualTo(2);
    }

    @Test
    void shouldDecodeAPng() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);

        BufferedImage decoded = Screens.decode(png.toByteArray());

        assertThat(decoded.getWidth()).isEqualTo(3);
        assertThat(Screens.colours(decoded, 16)).isEqualTo(1);
    }

    @Test
    void shouldMeasureLikenessWithinATolerance() {
        // Given two 2x2 images differing in one pixel by 10 and in another by 100
        BufferedImage a = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, 0x0A0A0A);
        b.setRGB(1, 1, 0x640000);

        // Then a tolerance of 24 finds three of four alike, and images of different sizes nothing alike
        assertThat(Screens.likeness(a, b, 24)).isEqualTo(0.75);
        assertThat(Screens.likeness(a, new BufferedImage(2, 3, BufferedImage.TYPE_INT_RGB), 24)).isZero();
    }
}
