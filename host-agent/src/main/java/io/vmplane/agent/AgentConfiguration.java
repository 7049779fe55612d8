package io.vmplane.agent;

import java.time.Clock;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.vmplane.agent.hypervisor.Hypervisor;
import io.vmplane.agent.kafka.CommandConsumer;
import io.vmplane.agent.kafka.KafkaPublisher;
import io.vmplane.agent.kafka.TopicSetup;
import io.vmplane.agent.lifecycle.LifecycleHandler;
import io.vmplane.agent.lifecycle.RestartReport;
import io.vmplane.agent.provision.ProvisionHandler;
import io.vmplane.agent.report.InventoryReporter;
import io.vmplane.schemas.messages.HostCommand;

/**
 * Wires the agent: one producer, the command consumer and the reporters around the libvirt connection, which
 * {@link HypervisorInitializer} opened before the context refreshed.
 */
@Configuration(proxyBeanMethods = false)
public class AgentConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Declared first, so the topic round trips start before the other beans are made and overlap with them; awaited
     * when the agent starts.
     */
    @Bean
    KafkaTopicsReady kafkaTopicsReady(KafkaProperties kafka) {
        return new KafkaTopicsReady(TopicSetup.ensureTopicsAsync(kafka.buildAdminProperties()));
    }

    @Bean(destroyMethod = "close")
    KafkaPublisher kafkaPublisher(KafkaProperties kafka, AgentProperties properties) {
        return new KafkaPublisher(kafka.buildProducerProperties(), "host-agent-" + properties.hostId());
    }

    @Bean
    InventoryReporter inventoryReporter(Hypervisor hypervisor, AgentProperties properties, Clock clock,
                                        KafkaPublisher publisher) {
        var host = new InventoryReporter.HostDescription(properties.hostId(), properties.consoleAddress(),
                properties.pinnedOnly());
        return new InventoryReporter(hypervisor, host, clock, publisher::inventory);
    }

    @Bean
    ProvisionHandler provisionHandler(Hypervisor hypervisor, AgentProperties properties, Clock clock,
                                      KafkaPublisher publisher, InventoryReporter inventory) {
        var identity = new ProvisionHandler.Identity(properties.hostId(), properties.stackId(),
                properties.graphicsListen());
        return new ProvisionHandler(hypervisor, identity, clock, publisher, inventory::publish);
    }

    @Bean
    LifecycleHandler lifecycleHandler(Hypervisor hypervisor, AgentProperties properties, Clock clock,
                                      KafkaPublisher publisher, InventoryReporter inventory) {
        var identity = new ProvisionHandler.Identity(properties.hostId(), properties.stackId(),
                properties.graphicsListen());
        return new LifecycleHandler(hypervisor, identity, clock, publisher, inventory::publish);
    }

    @Bean
    CommandConsumer commandConsumer(KafkaProperties kafka, AgentProperties properties, ProvisionHandler provision,
                                    LifecycleHandler lifecycle, KafkaPublisher publisher, KafkaTopicsReady topics) {
        return new CommandConsumer(kafka.buildConsumerProperties(), properties.hostId(), topics::hostCommandPartitions,
                command -> {
                    if (command instanceof HostCommand.ProvisionVm provisionVm) {
                        provision.handle(provisionVm);
                    }
                    else {
                        lifecycle.handle(command);
                    }
                },
                publisher::deadLetter);
    }

    @Bean
    RestartReport restartReport(Hypervisor hypervisor, AgentProperties properties, Clock clock,
                                KafkaPublisher publisher) {
        var identity = new ProvisionHandler.Identity(properties.hostId(), properties.stackId(),
                properties.graphicsListen());
        return new RestartReport(hypervisor, identity, clock, publisher);
    }

    @Bean
    AgentRuntime agentRuntime(AgentProperties properties, Hypervisor hypervisor, KafkaPublisher publisher,
                              InventoryReporter inventory, CommandConsumer commands, KafkaTopicsReady topics,
                              RestartReport restartReport, LifecycleHandler lifecycle, Clock clock) {
        return new AgentRuntime(properties, hypervisor, publisher, inventory, commands, topics, restartReport,
                lifecycle, clock);
    }

    @Bean
    AgentHealthIndicator agentHealthIndicator(AgentRuntime runtime) {
        return new AgentHealthIndicator(runtime);
    }
}
