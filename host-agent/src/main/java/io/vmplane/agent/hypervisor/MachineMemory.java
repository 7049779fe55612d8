package io.vmplane.agent.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The memory of the machine the agent runs on, from {@code /proc/meminfo}. */
final class MachineMemory {

    private MachineMemory() {
    }

    static Optional<Long> totalMib() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)
                    .findFirst();
        }
        catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
