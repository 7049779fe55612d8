package io.vmplane.worker.config;

import io.vmplane.store.CapacityLedger;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.RedriveLog;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The shared state in Redis: VM views, the host registry and the capacity ledger over one connection. */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean(destroyMethod = "close")
    StateStores stateStores(RedisProperties redis) {
        return StateStores.connect(redis.uri().toString());
    }

    @Bean
    VmStore vmStore(StateStores stores) {
        return stores.vms();
    }

    @Bean
    HostRegistry hostRegistry(StateStores stores) {
        return stores.hosts();
    }

    @Bean
    CapacityLedger capacityLedger(StateStores stores) {
        return stores.ledger();
    }

    @Bean
    RedriveLog redriveLog(StateStores stores) {
        return stores.redrives();
    }
}
