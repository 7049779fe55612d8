package io.vmplane.gateway.host;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.vmplane.gateway.GatewayProperties;
import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.StoreErrors;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.Usage;
import org.springframework.context.annotation.Lazy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The hosts, their status and what placement may still claim on them (admins only). */
@RestController
public class HostController {

    private final HostRegistry registry;
    private final CapacityLedger ledger;
    private final GatewayProperties properties;
    private final Clock clock;

    public HostController(@Lazy HostRegistry registry, @Lazy CapacityLedger ledger, GatewayProperties properties,
                          Clock clock) {
        this.registry = registry;
        this.ledger = ledger;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/virtualization/hosts")
    public Mono<Map<String, List<HostView>>> list(JwtAuthenticationToken token) {
        if (!Caller.of(token).admin()) {
            return Mono.error(ApiException.forbidden("ADMIN_REQUIRED", "Listing hosts needs the admin role"));
        }
        return StoreErrors.as503(registry.hosts()
                .concatMap(host -> ledger.usage(host.id()).defaultIfEmpty(Usage.NONE)
                        .map(usage -> HostView.of(host, usage, clock.instant(), properties.heartbeatTimeout())))
                .collectList()
                .map(items -> Map.of("items", items)));
    }
}
