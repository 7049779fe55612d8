package io.vmplane.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The provisioning worker: places VMs on hosts and keeps the state store in step with the events on Kafka. Several
 * instances run side by side in one consumer group per topic; all state they share lives in Redis.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
