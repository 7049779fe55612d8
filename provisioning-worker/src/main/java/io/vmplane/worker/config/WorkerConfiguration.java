package io.vmplane.worker.config;

import java.time.Clock;

import io.vmplane.store.CapacityLedger;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.RedriveLog;
import io.vmplane.store.VmStore;
import io.vmplane.worker.command.CommandListener;
import io.vmplane.worker.command.CreateVmHandler;
import io.vmplane.worker.command.HostClaimer;
import io.vmplane.worker.command.LifecycleHandler;
import io.vmplane.worker.events.VmEventListener;
import io.vmplane.worker.hosts.HostRegistryListener;
import io.vmplane.worker.kafka.KafkaPublisher;
import io.vmplane.worker.sweep.DeadlineSweeper;
import io.vmplane.worker.sweep.Redriver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The worker's features: command handling, event and host materialisation, the deadline sweep and re-drives. */
@Configuration(proxyBeanMethods = false)
public class WorkerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    HostClaimer hostClaimer(HostRegistry registry, CapacityLedger ledger, WorkerProperties properties, Clock clock) {
        return new HostClaimer(registry, ledger, properties, clock);
    }

    @Bean
    CreateVmHandler createVmHandler(VmStore vms, CapacityLedger ledger, HostClaimer claimer,
                                    KafkaPublisher publisher, WorkerProperties properties, Clock clock) {
        return new CreateVmHandler(vms, ledger, claimer, publisher, properties, clock);
    }

    @Bean
    LifecycleHandler lifecycleHandler(VmStore vms, CapacityLedger ledger, KafkaPublisher publisher,
                                      WorkerProperties properties, Clock clock) {
        return new LifecycleHandler(vms, ledger, publisher, properties, clock);
    }

    @Bean
    CommandListener commandListener(CreateVmHandler createVm, LifecycleHandler lifecycle) {
        return new CommandListener(createVm, lifecycle);
    }

    @Bean
    VmEventListener vmEventListener(VmStore vms, CapacityLedger ledger, WorkerProperties properties) {
        return new VmEventListener(vms, ledger, properties.storeTimeout());
    }

    @Bean
    HostRegistryListener hostRegistryListener(HostRegistry registry, VmStore vms, CapacityLedger ledger,
                                              KafkaPublisher publisher, WorkerProperties properties, Clock clock) {
        return new HostRegistryListener(registry, vms, ledger, publisher, properties, clock);
    }

    @Bean
    Redriver redriver(RedriveLog redrives, CapacityLedger ledger, KafkaPublisher publisher,
                      WorkerProperties properties) {
        return new Redriver(redrives, ledger, publisher, properties);
    }

    @Bean
    DeadlineSweeper deadlineSweeper(VmStore vms, KafkaPublisher publisher, Redriver redriver,
                                    WorkerProperties properties, Clock clock) {
        return new DeadlineSweeper(vms, publisher, redriver, properties, clock);
    }
}
