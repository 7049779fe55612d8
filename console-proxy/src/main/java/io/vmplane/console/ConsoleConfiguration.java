package io.vmplane.console;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

import io.micrometer.core.instrument.MeterRegistry;
import io.vmplane.console.relay.UpstreamConnector;
import io.vmplane.console.session.Admission;
import io.vmplane.console.session.ConsoleMetrics;
import io.vmplane.console.session.GuardedConsoleStore;
import io.vmplane.console.session.SessionRegistry;
import io.vmplane.console.ws.ConsoleWebSocketEndpoint;
import io.vmplane.console.ws.OriginPolicy;
import io.vmplane.store.StateStores;

/** The proxy's beans: the store behind its breaker, the session registry, and the WebSocket endpoint. */
@Configuration(proxyBeanMethods = false)
public class ConsoleConfiguration {

    /** The WebSocket path, relative to the server root (the same path as on the gateway). */
    public static final String WS_PATH = "/api/v1/virtualization/virtualmachines/{id}/console/ws";

    @Bean(destroyMethod = "close")
    StateStores stateStores(ConsoleProperties properties) {
        return StateStores.connect(properties.redisUri().toString());
    }

    @Bean
    GuardedConsoleStore guardedConsoleStore(StateStores stores, ConsoleProperties properties) {
        return new GuardedConsoleStore(stores.consoles(), properties.storeTimeout(), properties.breakerOpenFor());
    }

    @Bean(destroyMethod = "close")
    SessionRegistry sessionRegistry(GuardedConsoleStore store, ConsoleProperties properties) {
        var limits = new Admission.Limits(properties.maxSessionsPerVm(), properties.maxSessionsPerUser(),
                properties.maxSessionsPerInstance(), properties.busyPolicy());
        return new SessionRegistry(store, limits, properties.instanceId(), properties.heartbeatInterval(),
                Clock.systemUTC()).start();
    }

    @Bean
    ConsoleWebSocketEndpoint consoleWebSocketEndpoint(GuardedConsoleStore store, SessionRegistry registry,
                                                      ConsoleProperties properties, MeterRegistry meters) {
        AtomicInteger upstreams = new AtomicInteger();
        ConsoleMetrics metrics = new ConsoleMetrics(meters, properties.instanceId(), registry::active, upstreams::get);
        return new ConsoleWebSocketEndpoint(new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy()),
                new OriginPolicy(properties.allowedOrigins(), properties.allowMissingOrigin()), store, registry,
                new UpstreamConnector(properties.connectTimeout()), metrics, upstreams,
                new ConsoleWebSocketEndpoint.RelaySettings(properties.pingInterval(), properties.idleTimeout()),
                Clock.systemUTC());
    }

    @Bean
    SimpleUrlHandlerMapping consoleWebSocketMapping(ConsoleWebSocketEndpoint endpoint) {
        return new SimpleUrlHandlerMapping(Map.of(WS_PATH, endpoint), -1);
    }
}
