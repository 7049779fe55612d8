package io.vmplane.agent;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.hypervisor.KvmProbeSettings;
import io.vmplane.agent.hypervisor.LibvirtHypervisor;

/**
 * Opens the agent's {@link Hypervisor} connection as soon as the configuration is known, before the context
 * refreshes: with {@code virt-type=auto} on a qemu host the KVM probe it starts then overlaps the whole context
 * start (Tomcat, Kafka clients) instead of only its end. The connection becomes the context's {@code hypervisor}
 * singleton and is closed with the context, also when the refresh fails.
 */
final class HypervisorInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String BEAN = "hypervisor";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        // Bound (and validated) here once more than by @EnableConfigurationProperties: the context is not made yet.
        AgentProperties properties = Binder.get(context.getEnvironment())
                .bindOrCreate("vmplane.agent", AgentProperties.class);
        LibvirtHypervisor hypervisor = new LibvirtHypervisor(properties.libvirtUri(), properties.virtType(),
                new KvmProbeSettings(properties.hostId(), properties.kvmProbeImagePath(),
                        properties.kvmProbeDuration()), properties.libvirtResilience());
        var beans = context.getBeanFactory();
        beans.registerSingleton(BEAN, hypervisor);
        ((DefaultSingletonBeanRegistry) beans).registerDisposableBean(BEAN, hypervisor::close);
    }
}
