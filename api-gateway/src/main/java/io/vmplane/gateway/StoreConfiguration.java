package io.vmplane.gateway;

import java.time.Clock;

import io.vmplane.store.CapacityLedger;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.IdempotencyStore;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The state store (Redis) and the clock; the handlers see only the store interfaces. */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean(destroyMethod = "close")
    StateStores stateStores(GatewayProperties properties) {
        return StateStores.connect(properties.redisUri().toString());
    }

    @Bean
    VmStore vmStore(StateStores stores) {
        return stores.vms();
    }

    @Bean
    IdempotencyStore idempotencyStore(StateStores stores) {
        return stores.idempotency();
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
    Clock clock() {
        return Clock.systemUTC();
    }
}
