package io.vmplane.worker.events;

import java.time.Duration;

import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmEvent;
import io.vmplane.schemas.vm.VmStatus;
import io.vmplane.store.CapacityLedger;
import io.vmplane.store.VmRecord;
import io.vmplane.store.VmStore;
import io.vmplane.worker.kafka.JsonRecords;
import io.vmplane.worker.kafka.UnreadableRecordException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Materialises {@link Topics#VM_EVENTS} into the state store (group {@code vm-state}); the store applies an event
 * only if it moves the VM forward. A VM that failed or was deleted gives its capacity back to the ledger.
 */
public class VmEventListener {

    public static final String GROUP = "vm-state";

    private static final Logger log = LoggerFactory.getLogger(VmEventListener.class);

    private final VmStore vms;
    private final CapacityLedger ledger;
    private final Duration storeTimeout;

    public VmEventListener(VmStore vms, CapacityLedger ledger, Duration storeTimeout) {
        this.vms = vms;
        this.ledger = ledger;
        this.storeTimeout = storeTimeout;
    }

    @KafkaListener(id = "vm-events", topics = Topics.VM_EVENTS, groupId = GROUP)
    public void onEvent(ConsumerRecord<String, byte[]> record) {
        VmEvent event = JsonRecords.read(record.value(), VmEvent.class);
        if (event.vmId() == null || event.status() == null) {
            throw new UnreadableRecordException("the event lacks vm_id or status");
        }
        boolean applied = Boolean.TRUE.equals(vms.apply(event).block(storeTimeout));
        log.debug("Event {} v{} {} of {}: {}", event.status(), event.version(), event.source(), event.vmId(),
                applied ? "applied" : "ignored");
        if (releases(event.status()) && (applied || endedBy(event))) {
            ledger.release(event.vmId()).block(storeTimeout);
            log.info("VM {} {}{}: its claim, if any, is released", event.vmId(), event.status().wire(),
                    event.reason() == null ? "" : " (" + event.reason() + ")");
        }
    }

    /** A VM that failed or was deleted holds no capacity any more. */
    private static boolean releases(VmStatus status) {
        return status == VmStatus.FAILED || status == VmStatus.DELETED;
    }

    /**
     * On a redelivery the event was applied before (so it is ignored now) but the release may not have happened;
     * the same holds for a second final event of a generation that already ended this way. Release when the stored
     * VM stands at this very version and status.
     */
    private boolean endedBy(VmEvent event) {
        VmRecord vm = vms.get(event.vmId()).block(storeTimeout);
        return vm != null && vm.status() == event.status() && vm.version() == event.version();
    }
}
