package io.vmplane.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** One per hypervisor host: carries out host commands against libvirt, reports inventory and heartbeats. */
@SpringBootApplication
@EnableConfigurationProperties(AgentProperties.class)
public class HostAgentApplication {

    public static void main(String[] args) {
        SpringApplication.run(HostAgentApplication.class, args);
    }
}
