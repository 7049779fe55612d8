package io.vmplane.gateway.console;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.OptionalInt;

import io.vmplane.gateway.auth.Caller;
import io.vmplane.gateway.console.ConsoleViews.ConsoleConfig;
import io.vmplane.gateway.console.ConsoleViews.ConsoleInfo;
import io.vmplane.gateway.console.ConsoleViews.ConsoleStats;
import io.vmplane.gateway.web.ApiException;
import io.vmplane.schemas.vm.GraphicsSpec;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.HostRegistry;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.store.console.ConsoleGrant;
import io.vmplane.store.console.ConsoleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Console tokens, a VM's console statistics and the console configuration. A caller reaches the consoles of its own
 * project's VMs (admins every project's); any other VM is answered like one that does not exist. Every Redis call
 * goes through {@link ConsoleGuard}: while Redis fails, no token is issued ({@code 503 CONSOLE_UNAVAILABLE}).
 */
@RestController
public class ConsoleController {

    private static final Logger log = LoggerFactory.getLogger(ConsoleController.class);

    /** 32 random bytes: 256 bits, twice the contract's minimum. */
    static final int TOKEN_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final VmStore vms;
    private final HostRegistry hosts;
    private final ConsoleStore consoles;
    private final ConsoleGuard guard;
    private final ConsoleGatewayProperties properties;
    private final ConsoleProxyPolicy policy;
    private final Clock clock;

    public ConsoleController(@Lazy VmStore vms, @Lazy HostRegistry hosts, @Lazy ConsoleStore consoles,
                             ConsoleGuard guard, ConsoleGatewayProperties properties, ConsoleProxyPolicy policy,
                             Clock clock) {
        this.vms = vms;
        this.hosts = hosts;
        this.consoles = consoles;
        this.guard = guard;
        this.properties = properties;
        this.policy = policy;
        this.clock = clock;
    }

    @GetMapping("/virtualization/virtualmachines/{id}/console")
    public Mono<ConsoleInfo> console(JwtAuthenticationToken jwt, ServerHttpRequest request, @PathVariable String id) {
        Caller caller = Caller.of(jwt);
        return visibleVm(caller, id).flatMap(vm -> {
            GraphicsSpec.Type type = vm.spec() == null ? GraphicsSpec.Type.VNC : vm.spec().graphics().type();
            if (type == GraphicsSpec.Type.NONE) {
                return Mono.error(ConsoleProblems.noGraphics());
            }
            if (vm.status() != VmStatus.RUNNING) {
                return Mono.error(ConsoleProblems.notRunning(vm.status() == null ? "unknown" : vm.status().wire()));
            }
            String protocol = type.wire();
            OptionalInt port = GraphicsPorts.port(vm.domainXml(), protocol);
            if (port.isEmpty() && vm.host() != null && vm.domainXml() != null) {
                // running with its live definition read, and no port in it: retrying will not help
                return Mono.error(ConsoleProblems.noPort(protocol));
            }
            if (port.isEmpty() || vm.host() == null) {
                return Mono.error(new ApiException(ConsoleProblems.unavailable(
                        "The VM's " + protocol + " port is not known yet; retry shortly")));
            }
            return guard.call(hosts.host(vm.host()))
                    .filter(host -> host.inventory().consoleAddress() != null
                            && !host.inventory().consoleAddress().isBlank())
                    .switchIfEmpty(Mono.error(() -> new ApiException(ConsoleProblems.unavailable(
                            "The VM's host has no console address"))))
                    .flatMap(host -> guard.issuePermit(caller.user())
                            .then(Mono.defer(() -> issue(caller, vm, protocol, host.inventory().consoleAddress(),
                                    port.getAsInt(), request))));
        });
    }

    private Mono<ConsoleInfo> issue(Caller caller, VmRecord vm, String protocol, String address, int port,
                                    ServerHttpRequest request) {
        String token = newToken();
        Instant now = clock.instant();
        Instant expiresAt = now.plus(properties.consoleTokenTtl());
        var grant = new ConsoleGrant(vm.id(), caller.user(), vm.project(), protocol, vm.host(), address, port, null,
                now, expiresAt);
        return guard.call(consoles.issue(token, grant))
                .doOnSuccess(done -> log.info("Console token issued for {} ({}, host {}) to user {}, expires {}",
                        vm.id(), protocol, vm.host(), caller.user(), expiresAt))
                .thenReturn(new ConsoleInfo(vm.id(), protocol, token, wsUrl(request, vm.id(), token), expiresAt));
    }

    @GetMapping("/virtualization/virtualmachines/{id}/console/stats")
    public Mono<ConsoleStats> stats(JwtAuthenticationToken jwt, @PathVariable String id) {
        Caller caller = Caller.of(jwt);
        return visibleVm(caller, id).flatMap(vm -> Mono.zip(guard.call(consoles.sessions(vm.id())),
                        guard.call(consoles.totalSessions(vm.id())))
                .map(both -> ConsoleStats.of(vm.id(), both.getT1(), both.getT2())));
    }

    @GetMapping("/virtualization/console/config")
    public Mono<ConsoleConfig> config(JwtAuthenticationToken jwt) {
        if (!Caller.of(jwt).admin()) {
            return Mono.error(ApiException.forbidden("ADMIN_REQUIRED", "The console configuration needs the admin role"));
        }
        return guard.call(consoles.liveInstances(properties.consoleInstanceMaxAge()))
                .map(instances -> new ConsoleConfig(properties.consoleTokenTtl().toSeconds(),
                        policy.maxSessionsPerVm(), policy.idleTimeout().toSeconds(), policy.allowedOrigins(),
                        instances.stream().sorted().toList(), properties.consoleTokensPerMinute(),
                        properties.consoleProxies().stream().map(URI::toString).toList(),
                        properties.consoleWsBaseUrl() == null ? null : properties.consoleWsBaseUrl().toString()));
    }

    /** The VM when the caller may see it and it is not deleted; else 404, exactly as for an unknown id. */
    private Mono<VmRecord> visibleVm(Caller caller, String id) {
        if (!VmIds.VM_ID.matcher(id).matches()) {
            return Mono.error(notFound());
        }
        return guard.call(vms.get(id))
                .filter(vm -> caller.maySee(vm.project()) && vm.status() != VmStatus.DELETED)
                .switchIfEmpty(Mono.error(ConsoleController::notFound));
    }

    private String wsUrl(ServerHttpRequest request, String vmId, String token) {
        return wsUrl(request.getURI(), request.getPath().contextPath().value(), properties.consoleWsBaseUrl(), vmId,
                token);
    }

    /**
     * The console WebSocket's URL: on the configured proxy tier ({@code base}), else on the gateway as the client
     * reached it (its scheme, host and port), under the base path in both cases.
     */
    static String wsUrl(URI requestUri, String contextPath, URI base, String vmId, String token) {
        String path = contextPath + "/virtualization/virtualmachines/" + vmId + "/console/ws?token=" + token;
        if (base != null) {
            String prefix = base.toString();
            return (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix) + path;
        }
        String scheme = "https".equalsIgnoreCase(requestUri.getScheme()) ? "wss" : "ws";
        return scheme + "://" + requestUri.getRawAuthority() + path;
    }

    /** base64url without padding of {@link #TOKEN_BYTES} bytes of {@link SecureRandom}. */
    static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static ApiException notFound() {
        return ApiException.notFound("VM_NOT_FOUND", "No VM with this id in your project");
    }
}
