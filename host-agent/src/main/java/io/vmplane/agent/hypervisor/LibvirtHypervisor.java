package io.vmplane.agent.hypervisor;

import static io.vmplane.agent.hypervisor.LibvirtErrors.code;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.libvirt.Connect;
import org.libvirt.Device;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;
import org.libvirt.StoragePool;
import org.libvirt.StoragePoolInfo;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.vmplane.agent.domain.PciAddress;
import io.vmplane.agent.domain.VolumeRef;
import io.vmplane.schemas.host.HostInventory;
import io.vmplane.schemas.vm.DiskSpec;
import io.vmplane.schemas.vm.VmStatus;

/**
 * {@link Hypervisor} over libvirt-java. Owns one {@link Connect} at a time, opened in the constructor and closed by
 * {@link #close()}, and a {@link LibvirtExecutor}: one thread ({@code libvirt}) on which every libvirt call runs
 * (the test driver keeps its state per connection, and libvirt's last-error is per thread, so both stay
 * consistent), each call behind a retry, a time limiter and a circuit breaker. When a call fails because the
 * connection broke (libvirtd stopped or restarted), the next call on a {@code qemu} host first opens a new
 * connection (and picks a new {@link #bootId()}); a test-driver host keeps its one connection, whose state would
 * not survive a new one. With {@code virt-type=auto} on a qemu host it also owns, while the agent starts, a
 * {@code kvm-probe} thread that boots a {@link KvmProbe} domain through the same connection.
 */
public final class LibvirtHypervisor implements Hypervisor {

    private static final Logger log = LoggerFactory.getLogger(LibvirtHypervisor.class);
    private static final String ARCH = "x86_64";
    /**
     * Replaces libvirt's default error function, which prints every error (a lookup miss too) to stderr; errors
     * still reach us as exceptions. Held here so JNA's callback stays reachable.
     */
    private static final ErrorCallback QUIET_ERRORS = new ErrorCallback();
    /** {@code virDomainUndefineFlagsValues}. */
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;
    private static final int UNDEFINE_NVRAM = 4;
    /** {@code VIR_DOMAIN_METADATA_ELEMENT}, {@code VIR_DOMAIN_AFFECT_LIVE} and {@code _CONFIG}. */
    private static final int METADATA_ELEMENT = 2;
    private static final int AFFECT_LIVE = 1;
    private static final int AFFECT_CONFIG = 2;

    private final LibvirtExecutor libvirt;
    private final String uri;
    /** Replaced, on the libvirt thread only, when a qemu host's connection broke. */
    private volatile StateReadingConnect connect;
    private volatile boolean connectionLost;
    private final String kind;
    private final Optional<String> emulator;
    private final VirtTypeResolution resolution;
    private final Map<String, Long> declaredPoolCapacities;
    /** Used on the libvirt thread only. */
    private final PciInventory pci = new PciInventory();
    private volatile String bootId = UUID.randomUUID().toString();
    private volatile boolean closed;

    /**
     * Connects, and starts deciding the domain type: {@link #virtTypeDecision()} waits for the outcome.
     *
     * @param uri       a libvirt URI ({@code qemu:///system}, {@code test:///abs/path/host.xml})
     * @param virtType  {@link VirtType#AUTO}: KVM when a probe domain booted with KVM keeps running (see
     *                  {@link KvmProbe}; without a probe image, when {@code /dev/kvm} exists and the host
     *                  capabilities offer it), else QEMU/TCG; or a forced type. Ignored for the test driver, whose
     *                  domains are {@code test}
     * @param probe     the KVM probe's image and duration, and the host id its domain names carry
     */
    public LibvirtHypervisor(String uri, VirtType virtType, KvmProbeSettings probe) {
        this(uri, virtType, probe, LibvirtResilience.defaults());
    }

    /**
     * @param resilience  the call timeout, retries and circuit breaker of every libvirt call
     * @see #LibvirtHypervisor(String, VirtType, KvmProbeSettings)
     */
    public LibvirtHypervisor(String uri, VirtType virtType, KvmProbeSettings probe, LibvirtResilience resilience) {
        this.uri = uri;
        this.libvirt = new LibvirtExecutor(uri, resilience);
        this.kind = uri.startsWith("test:") ? "test" : "qemu";
        StateReadingConnect opened;
        try {
            opened = libvirt.call(() -> {
                Connect.setErrorCallback(QUIET_ERRORS);
                return new StateReadingConnect(uri);
            });
        }
        catch (RuntimeException e) {
            libvirt.close();
            throw e;
        }
        this.connect = opened;
        try {
            this.emulator = "test".equals(kind) ? Optional.empty()
                    : call(() -> LibvirtXml.emulator(opened.getCapabilities(), ARCH));
            this.resolution = "test".equals(kind) ? VirtTypeResolution.testDriver(uri)
                    : VirtTypeResolution.start(uri, virtType, probe, new ProbeTarget(),
                            () -> call(() -> LibvirtXml.offersDomainType(opened.getCapabilities(), ARCH, "kvm")),
                            emulator.orElse(null));
        }
        catch (RuntimeException e) {
            try {
                run(() -> opened.close());
            }
            finally {
                libvirt.close();
            }
            throw e;
        }
        this.declaredPoolCapacities = readDeclaredPoolCapacities(uri);
        log.info("Connected to {} (emulator {})", uri, emulator.orElse("default"));
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public String bootId() {
        return bootId;
    }

    @Override
    public VirtTypeDecision virtTypeDecision() {
        return resolution.await();
    }

    @Override
    public Optional<String> emulator() {
        return emulator;
    }

    @Override
    public HostFacts facts(Reread reread) {
        return call(() -> {
            NodeInfo node = connect.nodeInfo();
            long memoryMib = node.memory / 1024;
            if ("qemu".equals(kind) && isLocal()) {
                // libvirt may report only NUMA node 0: the placement wants the machine's memory.
                memoryMib = Math.max(memoryMib, MachineMemory.totalMib().orElse(0L));
            }
            long memory = memoryMib;
            return DomainListing.withDomains(connect, DomainListing.ALL, domains -> new HostFacts(node.cpus, memory,
                    readPools(), pci.read(connect, domains, reread),
                    HostFacts.vmDomains(domains.stream().map(DomainListing.Listed::name).toList())));
        });
    }

    @Override
    public Optional<DomainStatus> domain(String name) {
        return call(() -> connect.domainStatus(name));
    }

    @Override
    public PoolState poolState(String pool) {
        return call(() -> {
            StoragePool p = lookupPool(pool);
            if (p == null) {
                return PoolState.MISSING;
            }
            try {
                return p.isActive() == 1 ? PoolState.ACTIVE : PoolState.INACTIVE;
            }
            finally {
                p.free();
            }
        });
    }

    @Override
    public void startPool(String pool) {
        run(() -> withPool(pool, p -> {
            p.create(0);
            return null;
        }));
    }

    @Override
    public boolean volumeExists(String pool, String volume) {
        return call(() -> withPool(pool, p -> {
            StorageVol vol = lookupVolume(p, volume);
            if (vol == null) {
                return false;
            }
            vol.free();
            return true;
        }));
    }

    @Override
    public void createVolume(String pool, String volume, long capacityBytes, DiskSpec.Format format) {
        run(() -> withPool(pool, p -> {
            p.storageVolCreateXML(VolumeXml.render(volume, capacityBytes, format), 0).free();
            return null;
        }));
    }

    @Override
    public void deleteVolume(String pool, String volume) {
        run(() -> withPool(pool, p -> {
            StorageVol vol = lookupVolume(p, volume);
            if (vol != null) {
                try {
                    vol.delete(0);
                }
                finally {
                    vol.free();
                }
            }
            return null;
        }));
    }

    @Override
    public boolean pciDeviceExists(PciAddress address) {
        return call(() -> {
            try {
                Device device = connect.deviceLookupByName(address.nodeDeviceName());
                device.free();
                return true;
            }
            catch (LibvirtException e) {
                if (code(e) == ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public void defineDomain(String xml) {
        run(() -> {
            Domain domain = connect.domainDefineXML(xml);
            try {
                pci.forget(domain.getUUIDString());
            }
            finally {
                domain.free();
            }
            return null;
        });
    }

    @Override
    public void startDomain(String name) {
        run(() -> withDomain(name, d -> d.create()));
    }

    @Override
    public LiveDomain liveDomain(String name) {
        return call(() -> {
            String xml = withDomain(name, d -> d.getXMLDesc(0));
            DomainStatus status = connect.domainStatus(name).orElseThrow(
                    () -> new HypervisorException("the domain " + name + " vanished while it was read", null));
            return new LiveDomain(xml, status);
        });
    }

    @Override
    public void removeDomain(String name) {
        run(() -> {
            Domain domain = lookupDomain(name);
            if (domain == null) {
                return null;
            }
            try {
                if (domain.isActive() == 1) {
                    domain.destroy();
                }
                undefine(domain);
                pci.forget(domain.getUUIDString());
            }
            finally {
                domain.free();
            }
            return null;
        });
    }

    @Override
    public void shutdownDomain(String name) {
        run(() -> withDomain(name, d -> {
            d.shutdown();
            return null;
        }));
    }

    @Override
    public void destroyDomain(String name) {
        run(() -> {
            Domain domain = lookupDomain(name);
            if (domain == null) {
                return null;
            }
            try {
                if (domain.isActive() == 1) {
                    domain.destroy();
                }
            }
            catch (LibvirtException e) {
                // Stopped between the check and the destroy: what we wanted.
                if (code(e) != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                    throw e;
                }
            }
            finally {
                domain.free();
            }
            return null;
        });
    }

    @Override
    public void rebootDomain(String name) {
        run(() -> withDomain(name, d -> {
            d.reboot(0);
            return null;
        }));
    }

    @Override
    public void resetDomain(String name) {
        run(() -> withDomain(name, d -> {
            d.reset();
            return null;
        }));
    }

    @Override
    public void markReported(String name, long generation, VmStatus status) {
        setMetadata(name, "<reported generation='" + generation + "' status='" + status.wire() + "'/>",
                "vmplane-reported", LibvirtXml.REPORTED_NAMESPACE);
    }

    @Override
    public void markStopping(String name, Optional<LibvirtXml.StoppingMark> mark) {
        setMetadata(name, mark.map(LibvirtXml.StoppingMark::xml).orElse(null),
                mark.isPresent() ? "vmplane-stopping" : null, LibvirtXml.STOPPING_NAMESPACE);
    }

    /**
     * Sets (or, with a null element, removes) the domain's metadata element of {@code namespace}, in its persistent
     * definition and, while it runs, its live one. A missing domain is left alone.
     */
    private void setMetadata(String name, String element, String key, String namespace) {
        run(() -> {
            Domain domain = lookupDomain(name);
            if (domain == null) {
                return null;
            }
            try {
                int flags = domain.isActive() == 1 ? AFFECT_LIVE | AFFECT_CONFIG : AFFECT_CONFIG;
                domain.setMetadata(METADATA_ELEMENT, element, key, namespace, flags);
            }
            finally {
                domain.free();
            }
            return null;
        });
    }

    @Override
    public List<StackDomain> stackDomains(String stackId) {
        return call(() -> DomainListing.withDomains(connect, DomainListing.ALL, domains -> {
            List<StackDomain> found = new ArrayList<>();
            Map<String, DomainListing.Listed> byName = new HashMap<>();
            domains.forEach(d -> byName.putIfAbsent(d.name(), d));
            for (String name : HostFacts.vmDomains(byName.keySet())) {
                Optional<String> xml = DomainListing.readUnlessVanished(byName.get(name), d -> d.getXMLDesc(0));
                if (xml.isEmpty()) {
                    // Undefined since the listing: nothing to report for it.
                    continue;
                }
                Optional<DomainStatus> status = connect.domainStatus(name);
                Optional<LibvirtXml.StackTag> tag = LibvirtXml.stackTag(xml.get());
                if (status.isPresent() && tag.isPresent() && tag.get().stackId().equals(stackId)) {
                    found.add(new StackDomain(name, status.get(), tag.get().reportedGeneration(),
                            tag.get().reportedStatus(), xml.get()));
                }
            }
            return found;
        }));
    }

    @Override
    public List<VolumeRef> volumes() {
        return call(() -> {
            List<VolumeRef> volumes = new ArrayList<>();
            for (String pool : connect.listStoragePools()) {
                for (String volume : withPool(pool, StoragePool::listVolumes)) {
                    volumes.add(new VolumeRef(pool, volume));
                }
            }
            return volumes;
        });
    }

    /**
     * Undefines with a managed-save image, snapshot metadata and NVRAM removed too (plain undefine refuses a domain
     * that has any of them); a driver that does not know these flags gets a plain undefine.
     */
    private static void undefine(Domain domain) throws LibvirtException {
        try {
            domain.undefine(UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM);
        }
        catch (LibvirtException e) {
            ErrorNumber code = code(e);
            if (code != ErrorNumber.VIR_ERR_INVALID_ARG && code != ErrorNumber.VIR_ERR_NO_SUPPORT
                    && code != ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED) {
                throw e;
            }
            domain.undefine();
        }
    }

    @Override
    public boolean alive() {
        return !closed && libvirt.breakerState() == CircuitBreaker.State.CLOSED;
    }

    @Override
    public void probe() {
        call(() -> connect.getLibVersion());
    }

    /**
     * Stops a KVM probe still running (its domain is destroyed), closes the connection (a test driver's host state
     * goes with it) and stops the libvirt thread.
     */
    @Override
    public void close() {
        resolution.close();
        try {
            run(() -> connect.close());
        }
        catch (HypervisorException e) {
            log.warn("Closing the libvirt connection to {} failed: {}", uri, e.getMessage());
        }
        finally {
            closed = true;
            libvirt.close();
        }
        log.info("Closed the libvirt connection to {}", uri);
    }

    /**
     * For tests: runs {@code action} with the connection on the libvirt thread, as another client of the host would
     * act (a test driver's host lives in its one connection), unseen by this adapter's own bookkeeping.
     */
    <T> T asAnotherClient(LibvirtFunction<Connect, T> action) {
        return call(() -> action.apply(connect));
    }

    /** For tests and measurements: how many domain definitions {@link #facts} has read so far. */
    long definitionsRead() {
        return call(pci::definitionsRead);
    }

    private List<HostInventory.Pool> readPools() throws LibvirtException {
        List<HostInventory.Pool> pools = new ArrayList<>();
        for (String name : connect.listStoragePools()) {
            pools.add(withPool(name, p -> pool(name, p, true)));
        }
        for (String name : connect.listDefinedStoragePools()) {
            pools.add(withPool(name, p -> pool(name, p, false)));
        }
        return pools;
    }

    private HostInventory.Pool pool(String name, StoragePool p, boolean active) throws LibvirtException {
        if (!active) {
            return new HostInventory.Pool(name, false, 0, 0, List.of());
        }
        StoragePoolInfo info = p.getInfo();
        long capacity = info.capacity;
        long available = info.available;
        Long declared = declaredPoolCapacities.get(name);
        if (declared != null) {
            capacity = declared;
            available = Math.max(0, declared - info.allocation);
        }
        return new HostInventory.Pool(name, true, capacity, available, List.of(p.listVolumes()));
    }

    private Domain lookupDomain(String name) throws LibvirtException {
        try {
            return connect.domainLookupByName(name);
        }
        catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    private StoragePool lookupPool(String name) throws LibvirtException {
        try {
            return connect.storagePoolLookupByName(name);
        }
        catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
                return null;
            }
            throw e;
        }
    }

    private static StorageVol lookupVolume(StoragePool pool, String name) throws LibvirtException {
        try {
            return pool.storageVolLookupByName(name);
        }
        catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
                return null;
            }
            throw e;
        }
    }

    private <T> T withPool(String name, LibvirtFunction<StoragePool, T> action) throws LibvirtException {
        StoragePool pool = connect.storagePoolLookupByName(name);
        try {
            return action.apply(pool);
        }
        finally {
            pool.free();
        }
    }

    private <T> T withDomain(String name, LibvirtFunction<Domain, T> action) throws LibvirtException {
        Domain domain = connect.domainLookupByName(name);
        try {
            return action.apply(domain);
        }
        finally {
            domain.free();
        }
    }

    private boolean isLocal() {
        // qemu:///system or qemu:///session: no host part, so the machine we run on is the hypervisor's.
        return uri.matches("^qemu(\\+unix)?:///.*");
    }

    private static Map<String, Long> readDeclaredPoolCapacities(String uri) {
        if (!uri.startsWith("test:///") || uri.equals("test:///default")) {
            return Map.of();
        }
        Path file = Path.of(uri.substring("test://".length()));
        try {
            return LibvirtXml.declaredPoolCapacities(Files.readString(file));
        }
        catch (IOException | IllegalArgumentException e) {
            log.warn("Cannot read the pool capacities declared in {}: {}", file, e.getMessage());
            return Map.of();
        }
    }

    private void run(Callable<?> task) {
        call(task);
    }

    /**
     * Runs the task on the libvirt thread through the {@link LibvirtExecutor}: on a qemu host whose connection broke,
     * a new one is opened first; a connection error marks the connection broken.
     */
    private <T> T call(Callable<T> task) {
        return libvirt.call(() -> {
            reconnectIfLost();
            try {
                return task.call();
            }
            catch (LibvirtException | HypervisorException e) {
                if (LibvirtErrors.classify(e) == LibvirtErrors.Kind.CONNECTION) {
                    connectionLost = true;
                }
                throw e;
            }
        });
    }

    /** On the libvirt thread. A test driver's state lives in its connection: it is never replaced. */
    private void reconnectIfLost() throws LibvirtException {
        if (!connectionLost || "test".equals(kind)) {
            return;
        }
        try {
            connect.close();
        }
        catch (LibvirtException | RuntimeException e) {
            log.debug("Closing the broken libvirt connection to {}: {}", uri, e.getMessage());
        }
        connect = new StateReadingConnect(uri);
        connectionLost = false;
        // Domains and devices may have changed while no connection watched.
        pci.forgetAll();
        bootId = UUID.randomUUID().toString();
        log.info("Reconnected to {} (new boot id {})", uri, bootId);
    }

    /** The probe's operations, each a call on the libvirt thread (the probe runs on a thread of its own). */
    private final class ProbeTarget implements KvmProbe.Target {

        @Override
        public List<String> activeDomainNames() {
            return call(() -> DomainListing.names(connect, DomainListing.ACTIVE));
        }

        @Override
        public void createTransient(String xml) {
            run(() -> {
                connect.domainCreateXML(xml, 0).free();
                return null;
            });
        }

        @Override
        public Optional<KvmProbe.Sample> sample(String name) {
            return call(() -> {
                Optional<DomainStatus> status = connect.domainStatus(name);
                Domain domain = status.isPresent() ? lookupDomain(name) : null;
                if (domain == null) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new KvmProbe.Sample(status.get(), Duration.ofNanos(domain.getInfo().cpuTime)));
                }
                catch (LibvirtException e) {
                    // Ended between the two reads: a transient domain is gone once it stops.
                    if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                        return Optional.<KvmProbe.Sample>empty();
                    }
                    throw e;
                }
                finally {
                    domain.free();
                }
            });
        }

        @Override
        public void destroy(String name) {
            run(() -> {
                Domain domain = lookupDomain(name);
                if (domain == null) {
                    return null;
                }
                try {
                    domain.destroy();
                }
                catch (LibvirtException e) {
                    // Gone or stopped between the lookup and the destroy: what we wanted.
                    if (code(e) != ErrorNumber.VIR_ERR_NO_DOMAIN && code(e) != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                        throw e;
                    }
                }
                finally {
                    domain.free();
                }
                return null;
            });
        }
    }
}
