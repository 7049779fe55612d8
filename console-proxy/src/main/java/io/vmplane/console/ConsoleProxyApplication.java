package io.vmplane.console;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The console proxy: relays VM consoles to browsers over WebSockets. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ConsoleProxyApplication {

    public static void main(String[] args) {
        SpringApplication.run(ConsoleProxyApplication.class, args);
    }
}
