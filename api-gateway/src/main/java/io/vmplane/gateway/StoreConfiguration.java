package io.vmplane.gateway;

import java.time.Clock;

import io.vmplane.store.CapacityLedger;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.IdempotencyStore;
import io.vmplane.store.StateStores;
import io.vmplane.store.VmStore;
import io.vmplane.store.console.ConsoleStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The state store (Redis) and the clock; the handlers see only the store interfaces. The connection is made on a
 * bootstrap thread while the rest of the context starts (the start still fails when Redis cannot be reached); the
 * handlers take the stores as lazy references, so they do not wait for it.
 */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean(destroyMethod = "close", bootstrap = Bean.Bootstrap.BACKGROUND)
    StateStores stateStores(GatewayProperties properties) {
        return StateStores.connect(properties.redisUri().toString(),
                new StateStores.Options(properties.operationRetention()));
    }

    @Bean
    @Lazy
    VmStore vmStore(StateStores stores) {
        return stores.vms();
    }

    @Bean
    @Lazy
    IdempotencyStore idempotencyStore(StateStores stores) {
        return stores.idempotency();
    }

    @Bean
    @Lazy
    HostRegistry hostRegistry(StateStores stores) {
        return stores.hosts();
    }

    @Bean
    @Lazy
    CapacityLedger capacityLedger(StateStores stores) {
        return stores.ledger();
    }

    @Bean
    @Lazy
    ConsoleStore consoleStore(StateStores stores) {
        return stores.consoles();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
