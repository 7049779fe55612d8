package io.vmplane.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The machine's libvirt for integration tests: the daemons, the real host's {@code default} pool, simulated hosts
 * (test driver XML) and the clean-up of a stack's domains. Every method is idempotent and safe while a
 * {@code ./dev up} stack or another test JVM uses the same libvirtd.
 */
public final class Libvirt {

    /** The real host's URI. */
    public static final String SYSTEM_URI = "qemu:///system";
    /** The namespace of the {@code <metadata>} element that tags a domain with its stack id. */
    public static final String STACK_NAMESPACE = "https://vmplane.io/xmlns/stack/1";

    static final Path IMAGES = Path.of("/var/lib/libvirt/images");
    static final Path IPXE_ISO = Path.of("/usr/lib/ipxe/ipxe.iso");
    private static final Duration DAEMON_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration VIRSH_TIMEOUT = Duration.ofSeconds(60);

    private Libvirt() {
    }

    /** Runs {@code virsh ARGS} and returns its stdout; throws with virsh's stderr when it fails. */
    public static String virsh(String... args) {
        Virsh.Result result = Virsh.run(VIRSH_TIMEOUT, args);
        if (!result.ok()) {
            throw new IllegalStateException("virsh " + String.join(" ", args) + " failed (" + result.exitCode() + "): "
                    + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Starts virtlogd and libvirtd unless they answer already; returns once {@code virsh version} answers. */
    public static synchronized void ensureDaemons() {
        if (systemAnswers()) {
            return;
        }
        ensureKvmAccess();
        startDaemon("/usr/sbin/virtlogd", Path.of("/run/virtlogd.pid"), false);
        startDaemon("/usr/sbin/libvirtd", Path.of("/run/libvirtd.pid"), true);
        long deadline = System.nanoTime() + DAEMON_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (systemAnswers()) {
                return;
            }
            pause(250);
        }
        throw new IllegalStateException("libvirtd did not answer `virsh -c " + SYSTEM_URI + " version` within "
                + DAEMON_TIMEOUT.toSeconds() + " s (see /var/log/libvirt/ and try `/usr/sbin/libvirtd -d` by hand)");
    }

    /**
     * Makes sure {@code qemu:///system} has an active, autostarted dir pool {@code default} at
     * /var/lib/libvirt/images holding the volume {@code ubuntu.iso} (a copy of Debian's iPXE ISO, a real bootable
     * image standing in for Ubuntu's). Every step tolerates another process doing the same at the same time.
     */
    public static synchronized void ensureDefaultPool() {
        ensureDaemons();
        String c = "-c";
        if (!Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-info", "default").ok()) {
            Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-define-as", "default", "dir", "--target", IMAGES.toString());
        }
        createDirectories(IMAGES);
        if (!poolRunning()) {
            Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-build", "default");
            Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-start", "default");
        }
        Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-autostart", "default");
        if (!poolRunning()) {
            throw new IllegalStateException("the pool default on " + SYSTEM_URI + " is not running: "
                    + Virsh.run(VIRSH_TIMEOUT, c, SYSTEM_URI, "pool-start", "default").stderr().strip());
        }
        copyIsoIfMissing(IMAGES.resolve("ubuntu.iso"));
        virsh(c, SYSTEM_URI, "pool-refresh", "default");
        virsh(c, SYSTEM_URI, "vol-info", "--pool", "default", "ubuntu.iso");
    }

    /**
     * Writes {@code DIR/HOST_ID.xml}, a simulated host for the test driver (32 CPUs, 64 GiB, pools default with
     * ubuntu.iso, fast and bulk; with {@code gpu} the PCI device 0000:3b:00.0 10de:1eb8 alone in IOMMU group 30).
     * Use it as {@link #testUri(Path) test:///that/path}. The test driver gives every pool 100 GiB whatever the XML says.
     */
    public static Path writeSimulatedHost(Path dir, String hostId, boolean gpu) {
        String xml = SimulatedHostTemplate.render(SimulatedHostTemplate.load(), hostId, gpu);
        Path file = dir.toAbsolutePath().resolve(hostId + ".xml");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, xml);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
        return file;
    }

    /** {@code test:///abs/path.xml}, the URI of a simulated host written by {@link #writeSimulatedHost}. */
    public static String testUri(Path hostXml) {
        return "test://" + hostXml.toAbsolutePath();
    }

    /**
     * Destroys and undefines every domain on {@code uri} whose {@code <metadata>} carries this stack id, and deletes
     * the volumes whose name starts with such a domain's name (its {@code <vm-id>-diskN}); shared volumes such as
     * {@code ubuntu.iso} stay. Returns the names of the domains removed.
     */
    public static List<String> destroyDomainsOfStack(String uri, String stackId) {
        Pattern tag = stackTag(stackId);
        List<String> removed = new ArrayList<>();
        for (String name : lines(virsh("-c", uri, "list", "--all", "--name"))) {
            Virsh.Result xml = Virsh.run(VIRSH_TIMEOUT, "-c", uri, "dumpxml", name);
            if (!xml.ok() || !tag.matcher(xml.stdout()).find()) {
                continue;
            }
            Virsh.run(VIRSH_TIMEOUT, "-c", uri, "destroy", name);
            if (!Virsh.run(VIRSH_TIMEOUT, "-c", uri, "undefine", name, "--nvram", "--managed-save").ok()) {
                Virsh.run(VIRSH_TIMEOUT, "-c", uri, "undefine", name);
            }
            deleteVolumesStartingWith(uri, name);
            removed.add(name);
        }
        return removed;
    }

    /** Deletes, in every pool of {@code uri}, the volumes whose name starts with {@code prefix}. */
    public static void deleteVolumesStartingWith(String uri, String prefix) {
        if (prefix.isBlank()) {
            throw new IllegalArgumentException("a volume prefix must not be blank");
        }
        for (String pool : lines(virsh("-c", uri, "pool-list", "--name"))) {
            for (String volume : volumeNames(Virsh.run(VIRSH_TIMEOUT, "-c", uri, "vol-list", "--pool", pool))) {
                if (volume.startsWith(prefix)) {
                    Virsh.run(VIRSH_TIMEOUT, "-c", uri, "vol-delete", "--pool", pool, volume);
                }
            }
        }
    }

    static Pattern stackTag(String stackId) {
        return Pattern.compile("<(?:[\\w.-]+:)?stack\\b[^>]*\"" + Pattern.quote(STACK_NAMESPACE) + "\"[^>]*>\\s*"
                + Pattern.quote(stackId) + "\\s*</");
    }

    static List<String> volumeNames(Virsh.Result volList) {
        List<String> names = new ArrayList<>();
        if (!volList.ok()) {
            return names;
        }
        boolean body = false;
        for (String line : volList.stdout().split("\n")) {
            if (line.startsWith("---")) {
                body = true;
            } else if (body && !line.isBlank()) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }

    private static List<String> lines(String output) {
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private static boolean systemAnswers() {
        return Virsh.run(Duration.ofSeconds(15), "-c", SYSTEM_URI, "version").ok();
    }

    private static boolean poolRunning() {
        Virsh.Result info = Virsh.run(VIRSH_TIMEOUT, "-c", SYSTEM_URI, "pool-info", "default");
        return info.ok() && info.stdout().lines().anyMatch(l -> l.startsWith("State:") && l.contains("running"));
    }

    /**
     * Starts {@code binary -d} unless its pid file names a live process. With {@code reaped}, under the project's
     * {@code infra/subreaper.py} (as {@code ./dev} does): it reaps the QEMU processes libvirtd leaves behind where PID 1
     * does not, so libvirt never waits on a zombie.
     */
    private static void startDaemon(String binary, Path pidFile, boolean reaped) {
        if (daemonRunning(pidFile, Path.of(binary).getFileName().toString())) {
            return;
        }
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " is missing: install libvirt-daemon-system (./dev up does)");
        }
        Path subreaper = reaped ? subreaper() : null;
        List<String> command = subreaper == null
                ? List.of(binary, "-d")
                : List.of("setsid", "python3", subreaper.toString(), binary, "-d");
        // "-d" daemonizes; a second instance racing us exits on the pid file lock, which is fine.
        // Output is discarded: a daemon must not hold a pipe this JVM waits on.
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // the subreaper runs on, as long as libvirtd or a guest does: only a plain "-d" start is waited for
            if (subreaper == null && !process.waitFor(30, TimeUnit.SECONDS)) {
                ChildProcess.kill(process);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + binary, e);
        }
    }

    /** {@code infra/subreaper.py} of the checkout the tests run in (a parent of the working directory), or null. */
    static Path subreaper() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("infra/subreaper.py");
            if (Files.isRegularFile(script) && Files.isRegularFile(dir.resolve("dev"))) {
                return script;
            }
        }
        return null;
    }

    /**
     * {@code /dev/kvm} as udev's rule leaves it (group kvm, 0660; QEMU's user is in kvm) where no udev ran and only
     * root may open it; else every guest falls back to TCG. Nothing changes when the device is open to the group or
     * to all, or when this JVM is not root.
     */
    static void ensureKvmAccess() {
        Path kvm = Path.of("/dev/kvm");
        try {
            if (!Files.exists(kvm) || !"root".equals(System.getProperty("user.name"))) {
                return;
            }
            var permissions = Files.getPosixFilePermissions(kvm);
            if (permissions.stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                Process chgrp = new ProcessBuilder("sh", "-c", "getent group kvm >/dev/null && chgrp kvm /dev/kvm"
                        + " && chmod 660 /dev/kvm").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!chgrp.waitFor(10, TimeUnit.SECONDS)) {
                    ChildProcess.kill(chgrp);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // left as it is: guests run under TCG
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the pid file names a live process called {@code name}. /run may sit on the root disk and outlive a boot
     * (a machine started from a disk image of another): its stale pid can name any other process by now.
     */
    static boolean daemonRunning(Path pidFile, String name) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && name.equals(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void copyIsoIfMissing(Path iso) {
        if (Files.exists(iso)) {
            return;
        }
        if (!Files.isRegularFile(IPXE_ISO)) {
            throw new IllegalStateException(IPXE_ISO + " is missing: install the ipxe package (./dev up does)");
        }
        Path partial = iso.resolveSibling(".ubuntu.iso." + UUID.randomUUID() + ".part");
        try {
            Files.copy(IPXE_ISO, partial);
            Files.move(partial, iso, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + IPXE_ISO + " to " + iso, e);
        } finally {
            partial.toFile().delete();
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for libvirtd", e);
        }
    }
}
