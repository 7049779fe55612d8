package io.vmplane.gateway.console;

import io.vmplane.store.console.ConsoleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Revokes a VM's console tokens and closes its sessions (every proxy listens on {@code console:revoked}) when the
 * gateway accepts its stop or delete. Never fails: a revocation that cannot be made is logged, and the stop or
 * delete goes on (the tokens still expire within their TTL; the sessions end when the VM's console port closes).
 */
@Component
public class ConsoleRevocation {

    private static final Logger log = LoggerFactory.getLogger(ConsoleRevocation.class);

    private final ConsoleStore consoles;
    private final ConsoleGuard guard;

    public ConsoleRevocation(@Lazy ConsoleStore consoles, ConsoleGuard guard) {
        this.consoles = consoles;
        this.guard = guard;
    }

    public Mono<Void> revoke(String vmId) {
        return guard.call(Mono.defer(() -> consoles.revoke(vmId)))
                .doOnSuccess(done -> log.info("Console tokens and sessions of {} revoked", vmId))
                .onErrorResume(e -> {
                    log.warn("Console revocation of {} failed ({}); its tokens expire on their own", vmId,
                            e.getClass().getSimpleName());
                    return Mono.empty();
                });
    }
}
