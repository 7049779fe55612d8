package io.vmplane.e2e;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import javax.imageio.ImageIO;

/** Plain functions on screen images: decoding (PNG, or the PPM older QEMUs write), colours and likeness. */
final class Screens {

    private Screens() {
    }

    /** A PNG (ImageIO) or binary PPM ({@code P6}, 8 bits per channel) image. */
    static BufferedImage decode(byte[] bytes) {
        if (bytes.length > 2 && bytes[0] == 'P' && bytes[1] == '6') {
            return ppm(bytes);
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("neither PNG nor PPM (" + bytes.length + " bytes)");
            }
            return image;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many distinct RGB colours the image has, counting up to {@code limit}. */
    static int colours(BufferedImage image, int limit) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                seen.add(image.getRGB(x, y) & 0xFFFFFF);
                if (seen.size() >= limit) {
                    return limit;
                }
            }
        }
        return seen.size();
    }

    /**
     * The share of pixels (0..1) whose channels all differ by at most {@code tolerance} between two images of one
     * size; 0 when the sizes differ.
     */
    static double likeness(BufferedImage a, BufferedImage b, int tolerance) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return 0;
        }
        long alike = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xFF) - (q >> 16 & 0xFF)) <= tolerance
                        && Math.abs((p >> 8 & 0xFF) - (q >> 8 & 0xFF)) <= tolerance
                        && Math.abs((p & 0xFF) - (q & 0xFF)) <= tolerance) {
                    alike++;
                }
            }
        }
        return (double) alike / ((long) a.getWidth() * a.getHeight());
    }

    private static BufferedImage ppm(byte[] bytes) {
        // Header: "P6", width, height, maxval, each after whitespace (comments are not written by QEMU), then one
        // whitespace byte and the RGB samples.
        int[] fields = new int[3];
        int at = 2;
        for (int i = 0; i < 3; i++) {
            while (Character.isWhitespace(bytes[at])) {
                at++;
            }
            int start = at;
            while (!Character.isWhitespace(bytes[at])) {
                at++;
            }
            fields[i] = Integer.parseInt(new String(bytes, start, at - start, StandardCharsets.US_ASCII));
        }
        at++;
        if (fields[2] != 255) {
            throw new IllegalArgumentException("PPM with maxval " + fields[2] + " is not supported");
        }
        BufferedImage image = new BufferedImage(fields[0], fields[1], BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < fields[1]; y++) {
            for (int x = 0; x < fields[0]; x++) {
                int r = bytes[at++] & 0xFF;
                int g = bytes[at++] & 0xFF;
                int b = bytes[at++] & 0xFF;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }
}
