package io.vmplane.worker.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.FailureCode;
import io.vmplane.schemas.vm.VmIds;
import io.vmplane.store.OperationRecord;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.worker.command.LifecycleSteps;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/**
 * Where a record goes that cannot be read, or whose handling failed every attempt: to {@link Topics#DEAD_LETTERS}
 * as it was, with headers saying where it came from and why. For a VM command whose VM is known, the command's
 * operation fails with {@code INVALID_COMMAND}, so no client waits for a command nobody will carry out: a create
 * fails the VM, a life-cycle command leaves the VM's status as it is. The consumer then goes on
 * with the next record: a bad record never stops a partition.
 */
public class DeadLetters implements ConsumerRecordRecoverer {

    public static final String REASON = "vmplane-dlt-reason";
    public static final String ERROR = "vmplane-dlt-error";
    public static final String SOURCE_TOPIC = "vmplane-dlt-source-topic";
    public static final String SOURCE_PARTITION = "vmplane-dlt-source-partition";
    public static final String SOURCE_OFFSET = "vmplane-dlt-source-offset";
    public static final String WORKER = "vmplane-dlt-worker";

    /** {@link #REASON} of a record that could not be read. */
    public static final String UNREADABLE = "UNREADABLE";
    /** {@link #REASON} of a readable record that must not be carried out. */
    public static final String REJECTED = "REJECTED";
    /** {@link #REASON} of a record whose handling failed every attempt. */
    public static final String FAILED = "FAILED_AFTER_RETRIES";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_ERROR_LENGTH = 2000;

    private final KafkaPublisher publisher;
    private final VmStore vms;
    private final String instanceId;
    private final Duration storeTimeout;

    public DeadLetters(KafkaPublisher publisher, VmStore vms, String instanceId, Duration storeTimeout) {
        this.publisher = publisher;
        this.vms = vms;
        this.instanceId = instanceId;
        this.storeTimeout = storeTimeout;
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception exception) {
        Throwable cause = rootOf(exception);
        String reason = cause instanceof UnreadableRecordException ? UNREADABLE
                : cause instanceof RejectedRecordException ? REJECTED : FAILED;
        String error = truncate(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        log.warn("Dead-lettering {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), reason,
                error);
        publisher.publish(deadLetter(record, reason, error));
        if (Topics.VM_COMMANDS.equals(record.topic())) {
            failVm(record, reason, error);
        }
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<?, ?> record, String reason, String error) {
        String key = record.key() == null ? null : record.key().toString();
        byte[] value = record.value() instanceof byte[] bytes ? bytes
                : record.value() == null ? null : record.value().toString().getBytes(StandardCharsets.UTF_8);
        var out = new ProducerRecord<>(Topics.DEAD_LETTERS, null, key, value, record.headers());
        Headers headers = out.headers();
        header(headers, REASON, reason);
        header(headers, ERROR, error);
        header(headers, SOURCE_TOPIC, record.topic());
        header(headers, SOURCE_PARTITION, Integer.toString(record.partition()));
        header(headers, SOURCE_OFFSET, Long.toString(record.offset()));
        header(headers, WORKER, instanceId);
        return out;
    }

    /** Fails the command's VM with INVALID_COMMAND when its id (and so its generation) can be found. */
    private void failVm(ConsumerRecord<?, ?> record, String reason, String error) {
        try {
            Optional<VmEvent> failed = failureEvent(record, reason, error);
            if (failed.isPresent()) {
                publisher.publish(failed.get());
                log.info("VM {} failed with INVALID_COMMAND", failed.get().vmId());
            }
        }
        catch (RuntimeException e) {
            // The dead letter is written; the VM then ends by its deadline sweep instead.
            log.warn("Could not fail the VM of dead-lettered {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
        }
    }

    private Optional<VmEvent> failureEvent(ConsumerRecord<?, ?> record, String reason, String error) {
        String message = switch (reason) {
            case UNREADABLE -> "the command could not be read: ";
            case REJECTED -> "the command was rejected: ";
            default -> "the command failed after every attempt: ";
        } + error;
        Optional<VmCommand> command = readable(record);
        if (command.isPresent() && command.get() instanceof VmCommand.CreateVm c) {
            return Optional.of(VmEvent.failed(c.vmId(), c.generation(), null, FailureCode.INVALID_COMMAND, message,
                    instanceId));
        }
        String vmId = command.map(VmCommand::vmId)
                .orElse(record.key() == null ? null : record.key().toString());
        if (vmId == null || !VmIds.VM_ID.matcher(vmId).matches()) {
            return Optional.empty();
        }
        VmRecord vm = vms.get(vmId).block(storeTimeout);
        if (vm == null) {
            return Optional.empty();
        }
        long generation = command.map(VmCommand::generation).orElse(vm.generation());
        if (command.isEmpty() && creating(vm)) {
            return Optional.of(VmEvent.failed(vm.id(), generation, vm.host(), FailureCode.INVALID_COMMAND, message,
                    instanceId));
        }
        // A life-cycle command that cannot be carried out fails its operation, not the VM: the status stays.
        return Optional.of(new VmEvent(vm.id(), generation, VmEvent.version(generation, VmEvent.Phase.FINAL),
                LifecycleSteps.untouchedStatus(vm.status()), vm.host(), FailureCode.INVALID_COMMAND, message, null,
                Instant.now(), instanceId));
    }

    /** Whether the VM's current operation is its create (or unknown): then a command nobody can read fails the VM. */
    private boolean creating(VmRecord vm) {
        OperationRecord operation = vm.operationId() == null ? null
                : vms.operation(vm.operationId()).block(storeTimeout);
        return operation == null || "create".equals(operation.kind());
    }

    private static Optional<VmCommand> readable(ConsumerRecord<?, ?> record) {
        if (!(record.value() instanceof byte[] bytes)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CommandReader.read(bytes));
        }
        catch (UnreadableRecordException e) {
            return Optional.empty();
        }
    }

    private static Throwable rootOf(Exception exception) {
        Throwable t = exception;
        while (t instanceof ListenerExecutionFailedException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void header(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH) + "…";
    }
}
