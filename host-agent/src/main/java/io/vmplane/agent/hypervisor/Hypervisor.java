package io.vmplane.agent.hypervisor;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.vmplane.agent.domain.DomainType;
import io.vmplane.agent.domain.PciAddress;
import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.VmStatus;

/**
 * The agent's one connection to its host's hypervisor. Implementations serialise every call on a thread of their
 * own (callers block until it is done); failures are {@link HypervisorException}s carrying the hypervisor's message,
 * and {@link HypervisorUnavailableException}s when the hypervisor could not be asked at all (nothing is known of
 * the outcome: a command meeting one is carried out again later). Lookups answer "absent" instead of failing.
 */
public interface Hypervisor extends AutoCloseable {

    /** {@code test} for the libvirt test driver, {@code qemu} otherwise. */
    String kind();

    /**
     * A random UUID chosen once per connection to the hypervisor: reported with the inventory, a new one tells the
     * control plane that the host's libvirt state may not have survived (the test driver forgets its domains).
     */
    String bootId();

    /**
     * The domain type definitions use and why. Decided while the agent starts ({@code virt-type=auto} on a qemu host
     * may boot a probe domain for a few seconds): blocks until then.
     */
    VirtTypeDecision virtTypeDecision();

    /** {@link #virtTypeDecision()}'s type; blocks likewise. */
    default DomainType domainType() {
        return virtTypeDecision().type();
    }

    /** The emulator binary for x86_64 guests, when the hypervisor names one. */
    Optional<String> emulator();

    /**
     * What the hypervisor says about its host now. What only a domain definition or the hardware tells (which PCI
     * devices domains pass through, which devices exist) is read with {@code reread}: {@link Reread#CHANGED} reads
     * the definitions of domains new, started, stopped, (re)defined or removed since the last read, and reuses the
     * rest; {@link Reread#ALL} reads every one.
     */
    HostFacts facts(Reread reread);

    /** {@link #facts(Reread) facts(CHANGED)}: what an inventory after a command needs. */
    default HostFacts facts() {
        return facts(Reread.CHANGED);
    }

    /** The domain's state, or empty when no such domain is defined. */
    Optional<DomainStatus> domain(String name);

    PoolState poolState(String pool);

    void startPool(String pool);

    /** Whether an active pool holds the volume. */
    boolean volumeExists(String pool, String volume);

    void createVolume(String pool, String volume, long capacityBytes, DiskSpec.Format format);

    void deleteVolume(String pool, String volume);

    boolean pciDeviceExists(PciAddress address);

    void defineDomain(String xml);

    void startDomain(String name);

    /** The live definition ({@code virDomainGetXMLDesc} with no flags) and, read with it, the domain's state. */
    LiveDomain liveDomain(String name);

    /**
     * Stops the domain if it runs and removes its definition, with its managed-save image, snapshot metadata and
     * NVRAM where the hypervisor keeps them. A domain that is not defined is left alone.
     */
    void removeDomain(String name);

    /** Asks the guest to shut down (ACPI power button); returns at once, the guest may take its time or ignore it. */
    void shutdownDomain(String name);

    /** Powers the domain off at once; one that is not running is left alone. */
    void destroyDomain(String name);

    /** Asks the guest to reboot (the hypervisor's default method: ACPI or a guest agent). */
    void rebootDomain(String name);

    /** Resets the domain like a reset button: the guest restarts at once, whether it handles ACPI or not. */
    void resetDomain(String name);

    /**
     * Records in the domain's metadata that the VM's status {@code status} was published in its generation
     * {@code generation} (kept in the persistent definition, and the live one while the domain runs). A missing
     * domain is left alone.
     */
    void markReported(String name, long generation, VmStatus status);

    /**
     * Records in the domain's metadata the graceful stop the agent follows, or with an empty mark removes it: a
     * restarted agent follows the recorded stop on. A missing domain is left alone.
     */
    void markStopping(String name, Optional<LibvirtXml.StoppingMark> mark);

    /** The domains named like VM ids that carry this stack's tag, each with its state and reported generation. */
    List<StackDomain> stackDomains(String stackId);

    /** Every volume of every active pool. */
    List<VolumeRef> volumes();

    /**
     * True while calls go through; false while the hypervisor is unreachable (libvirt's circuit breaker is open or
     * testing the connection again), and once closed. The host is {@code degraded} meanwhile.
     */
    boolean alive();

    /**
     * One cheap round trip to the hypervisor, through the same guard as every call: while the hypervisor is
     * unreachable this is what finds it back (and reconnects) when nothing else calls it.
     *
     * @throws HypervisorUnavailableException while it is unreachable
     */
    void probe();

    @Override
    void close();

    /**
     * A domain as it is now.
     *
     * @param xml     the live definition
     * @param status  the state, read right after the definition
     */
    record LiveDomain(String xml, DomainStatus status) {
    }

    /**
     * A domain of the agent's stack as it is now.
     *
     * @param name                the domain's name, a VM id
     * @param status              its state
     * @param reportedGeneration  the generation whose final event was published last ({@link #markReported})
     * @param reportedStatus      the status published last
     * @param xml                 its live definition
     */
    record StackDomain(String name, DomainStatus status, OptionalLong reportedGeneration,
                       Optional<VmStatus> reportedStatus, String xml) {
    }

    /** How much of the host {@link #facts(Reread)} reads again. */
    enum Reread {
        /**
         * What this connection has not seen, or saw change: new domains, domains started or stopped since (new id),
         * domains (re)defined or removed through this {@code Hypervisor}. Misses a change by another client that
         * keeps a domain's id (a device hot-plugged, a running domain's definition replaced) and new hardware.
         */
        CHANGED,
        /** Everything: catches what {@link #CHANGED} misses. */
        ALL
    }

    enum PoolState {
        MISSING, INACTIVE, ACTIVE
    }
}
