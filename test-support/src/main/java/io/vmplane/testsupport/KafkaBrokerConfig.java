package io.vmplane.testsupport;

import java.nio.file.Path;

import org.apache.kafka.common.Uuid;

/** The configuration of a small single-node KRaft broker (broker and controller in one process). Pure. */
final class KafkaBrokerConfig {

    private KafkaBrokerConfig() {
    }

    static String serverProperties(int brokerPort, int controllerPort, Path logDir) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir,
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "group.initial.rebalance.delay.ms=0",
                // one node: every internal topic has one replica
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=5",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=3",
                "min.insync.replicas=1",
                // small machine: few threads, a small cleaner buffer (compacted topics still compact)
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "log.cleaner.threads=1",
                "log.cleaner.dedupe.buffer.size=8388608",
                "log.segment.bytes=16777216",
                "log.retention.hours=24",
                "");
    }

    static String log4j2Properties() {
        return String.join("\n",
                "status=warn",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                "rootLogger.level=warn",
                "rootLogger.appenderRef.out.ref=out",
                "logger.raft.name=kafka.server.KafkaRaftServer",
                "logger.raft.level=info",
                "logger.broker.name=kafka.server.BrokerServer",
                "logger.broker.level=info",
                "");
    }

    /** A cluster id in Kafka's form (base64url of 16 random bytes). */
    static String randomClusterId() {
        return Uuid.randomUuid().toString();
    }
}
