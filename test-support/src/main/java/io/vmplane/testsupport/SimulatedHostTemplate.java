package io.vmplane.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders {@code infra/fixtures/simulated-host.xml}, the libvirt test driver's node description of a simulated host.
 * The same file is rendered by {@code ./dev} with sed: {@code @HOST_ID@} is replaced, and the lines from the one with
 * {@code @GPU_BEGIN@} to the one with {@code @GPU_END@} are dropped for a host without the GPU.
 */
final class SimulatedHostTemplate {

    static final String RESOURCE = "/io/vmplane/testsupport/fixtures/simulated-host.xml";

    private SimulatedHostTemplate() {
    }

    static String render(String template, String hostId, boolean gpu) {
        if (!hostId.matches("[a-zA-Z0-9][a-zA-Z0-9._-]*")) {
            throw new IllegalArgumentException("not a host id: " + hostId);
        }
        List<String> lines = new ArrayList<>();
        boolean inGpu = false;
        for (String line : template.split("\n", -1)) {
            if (line.contains("@GPU_BEGIN@")) {
                inGpu = true;
            }
            if (gpu || !inGpu) {
                lines.add(line.replace("@HOST_ID@", hostId));
            }
            if (line.contains("@GPU_END@")) {
                inGpu = false;
            }
        }
        return String.join("\n", lines);
    }

    /** The template from this jar, or from the repository when running from an IDE without resources. */
    static String load() {
        try (InputStream in = SimulatedHostTemplate.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return Files.readString(VmplaneRoot.path().resolve("infra/fixtures/simulated-host.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the simulated host template", e);
        }
    }
}
