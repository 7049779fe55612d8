package io.vmplane.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository root: system property {@code vmplane.root} (the parent pom passes it to surefire and failsafe),
 * else the nearest directory above the working directory that holds {@code infra/kafka-broker/pom.xml}.
 */
public final class VmplaneRoot {

    private VmplaneRoot() {
    }

    public static Path path() {
        String property = System.getProperty("vmplane.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("infra/kafka-broker/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the vmplane repository root: set -Dvmplane.root=/path/to/repo");
    }
}
