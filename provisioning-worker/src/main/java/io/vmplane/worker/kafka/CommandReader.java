package io.vmplane.worker.kafka;

import io.vmplane.schemas.messages.VmCommand;

/** Reads a {@link VmCommand} from a record value, refusing one that lacks what handling it needs. */
public final class CommandReader {

    private CommandReader() {
    }

    public static VmCommand read(byte[] value) {
        VmCommand command = JsonRecords.read(value, VmCommand.class);
        require(command.vmId() != null, "vm_id");
        require(command.deadline() != null, "deadline");
        if (command instanceof VmCommand.CreateVm create) {
            require(create.spec() != null, "spec");
            require(create.spec().storage() != null, "spec.storage");
        }
        return command;
    }

    private static void require(boolean present, String field) {
        if (!present) {
            throw new UnreadableRecordException("the command lacks " + field);
        }
    }
}
