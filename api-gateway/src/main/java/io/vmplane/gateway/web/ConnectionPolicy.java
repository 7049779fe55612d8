package io.vmplane.gateway.web;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One request per HTTP/1.1 connection ({@code Connection: close}).
 *
 * <p>Why: in three of ~10 full test runs a request sent on a reused keep-alive connection reached the application
 * only when the client gave up and closed the connection (the handler then took a few milliseconds), with two
 * different clients (the JDK's and Reactor Netty's). Until the cause is found (see the closing note of issue 2;
 * benchmarks will need keep-alive back), closing after each response makes a stall impossible at the cost of a
 * TCP handshake per request on loopback.
 */
@Configuration(proxyBeanMethods = false)
public class ConnectionPolicy {

    @Bean
    NettyServerCustomizer oneRequestPerConnection() {
        return server -> server.maxKeepAliveRequests(1);
    }
}
