package io.vmplane.gateway.web;

import io.vmplane.gateway.auth.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

/**
 * One log line per request: method, path (never the query string, which may carry console tokens), status,
 * duration, user and project. The outer filter runs before security so refusals are logged too; the inner one runs
 * after authentication and notes the caller in the exchange's attributes, which both filters share.
 */
@Configuration(proxyBeanMethods = false)
public class RequestLogFilters {

    private static final Logger log = LoggerFactory.getLogger("io.vmplane.gateway.requests");
    private static final String CALLER = RequestLogFilters.class.getName() + ".caller";

    @Bean
    @Order(-200)
    WebFilter requestLogFilter() {
        return (exchange, chain) -> {
            long start = System.nanoTime();
            return chain.filter(exchange).doFinally(signal -> logRequest(exchange, start));
        };
    }

    @Bean
    @Order(0)
    WebFilter callerNoteFilter() {
        return (exchange, chain) -> exchange.getPrincipal()
                .doOnNext(principal -> {
                    if (principal instanceof JwtAuthenticationToken jwt) {
                        exchange.getAttributes().put(CALLER, Caller.of(jwt));
                    }
                })
                .then(chain.filter(exchange));
    }

    private static void logRequest(ServerWebExchange exchange, long start) {
        Caller caller = exchange.getAttribute(CALLER);
        var status = exchange.getResponse().getStatusCode();
        log.info("{} {} {} {}ms user={} project={}", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath().value(), status == null ? "-" : status.value(),
                (System.nanoTime() - start) / 1_000_000,
                caller == null ? "-" : caller.user(), caller == null ? "-" : caller.project());
    }
}
