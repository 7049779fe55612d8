package io.vmplane.agent.hypervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vmplane.agent.domain.DomainType;

/**
 * The domain type decision of one qemu connection, made at once (a forced type, no KVM candidate, no probe image)
 * or by a {@link KvmProbe} on a {@code kvm-probe} thread of its own. {@link #await()} returns it; {@link #close()}
 * stops a probe still running, which destroys its domain. The decision and its reason are logged.
 */
final class VirtTypeResolution implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VirtTypeResolution.class);
    private static final Path DEV_KVM = Path.of("/dev/kvm");
    /** How much longer than the longest probe a decision may take (starting the probe domain, slow libvirt). */
    private static final Duration SLACK = Duration.ofSeconds(90);
    private static final Duration PROBE_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String uri;
    private final CompletableFuture<VirtTypeDecision> decision;
    private final ExecutorService probeThread;
    private final Duration timeout;

    private VirtTypeResolution(String uri, CompletableFuture<VirtTypeDecision> decision, ExecutorService probeThread,
                               Duration timeout) {
        this.uri = uri;
        this.decision = decision;
        this.probeThread = probeThread;
        this.timeout = timeout;
    }

    /** The test driver's domains are always of type {@code test}. */
    static VirtTypeResolution testDriver(String uri) {
        return decided(uri, new VirtTypeDecision(DomainType.TEST, "the test driver's domains are of type test"));
    }

    /**
     * Destroys the probe domains an earlier agent of this host left, then decides, or starts the probe.
     *
     * @param offersKvm  whether the host capabilities offer kvm domains for x86_64 (asked only for {@code auto})
     * @param emulator   the emulator binary the probe domain names, or null for libvirt's default
     */
    static VirtTypeResolution start(String uri, VirtType virtType, KvmProbeSettings probe, KvmProbe.Target target,
                                    BooleanSupplier offersKvm, String emulator) {
        KvmProbe.destroyLeftovers(target, probe.hostId());
        switch (virtType) {
            case KVM -> {
                return decided(uri, new VirtTypeDecision(DomainType.KVM, "vmplane.agent.virt-type is kvm"));
            }
            case QEMU -> {
                return decided(uri, new VirtTypeDecision(DomainType.QEMU, "vmplane.agent.virt-type is qemu"));
            }
            case AUTO -> {
            }
        }
        if (!Files.exists(DEV_KVM)) {
            return decided(uri, new VirtTypeDecision(DomainType.QEMU, DEV_KVM + " does not exist"));
        }
        if (!offersKvm.getAsBoolean()) {
            return decided(uri, new VirtTypeDecision(DomainType.QEMU, "the host capabilities offer no kvm domains"));
        }
        if (probe.image().isEmpty()) {
            log.warn("KVM is unverified on {}: no KVM probe image (vmplane.agent.kvm-probe-image), so only the "
                    + "capabilities decide", uri);
            return decided(uri, new VirtTypeDecision(DomainType.KVM, "unverified: " + DEV_KVM + " exists and the "
                    + "host capabilities offer kvm domains, and there is no KVM probe image to boot"));
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kvm-probe");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        CompletableFuture<VirtTypeDecision> probing = CompletableFuture
                .supplyAsync(new KvmProbe(target, probe, emulator)::run, thread)
                .exceptionally(e -> new VirtTypeDecision(DomainType.QEMU,
                        "the KVM probe failed: " + (e.getCause() != null ? e.getCause() : e).getMessage()))
                .thenApply(d -> {
                    log.info("The KVM probe on {} took {} ms", uri, (System.nanoTime() - start) / 1_000_000);
                    return logged(uri, d);
                });
        return new VirtTypeResolution(uri, probing, thread,
                probe.duration().multipliedBy(KvmProbeVerdict.CAP_FACTOR).plus(SLACK));
    }

    /** The decision; waits while the probe runs. */
    VirtTypeDecision await() {
        try {
            return decision.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while waiting for the domain type decision", e);
        }
        catch (ExecutionException e) {
            throw new HypervisorException("the domain type could not be decided: " + e.getCause().getMessage(),
                    e.getCause());
        }
        catch (TimeoutException e) {
            throw new HypervisorException("the domain type was not decided within " + timeout.toSeconds()
                    + " s (the KVM probe hangs in libvirt)", e);
        }
    }

    /** Interrupts a running probe and waits until it has destroyed its domain. */
    @Override
    public void close() {
        if (probeThread == null) {
            return;
        }
        probeThread.shutdownNow();
        try {
            if (!probeThread.awaitTermination(PROBE_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("The KVM probe on {} did not stop within {} s", uri, PROBE_STOP_TIMEOUT.toSeconds());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static VirtTypeResolution decided(String uri, VirtTypeDecision d) {
        return new VirtTypeResolution(uri, CompletableFuture.completedFuture(logged(uri, d)), null, Duration.ZERO);
    }

    private static VirtTypeDecision logged(String uri, VirtTypeDecision d) {
        log.info("Domains on {} are of type {}: {}", uri, d.type().wire(), d.reason());
        return d;
    }
}
