package io.vmplane.worker.command;

import io.vmplane.schemas.messages.Topics;
import io.vmplane.schemas.messages.VmCommand;
import io.vmplane.worker.kafka.CommandReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Consumes {@link Topics#VM_COMMANDS} in the group {@code provisioning-worker}. The offset is committed after the
 * record is handled (at least once); a record that cannot be read or keeps failing goes to the dead letters.
 */
public class CommandListener {

    public static final String GROUP = "provisioning-worker";

    private final CreateVmHandler createVm;
    private final LifecycleHandler lifecycle;

    public CommandListener(CreateVmHandler createVm, LifecycleHandler lifecycle) {
        this.createVm = createVm;
        this.lifecycle = lifecycle;
    }

    @KafkaListener(id = "vm-commands", topics = Topics.VM_COMMANDS, groupId = GROUP)
    public void onCommand(ConsumerRecord<String, byte[]> record) {
        VmCommand command = CommandReader.read(record.value());
        if (command instanceof VmCommand.CreateVm create) {
            createVm.handle(create);
        }
        else {
            lifecycle.handle(command);
        }
    }
}
