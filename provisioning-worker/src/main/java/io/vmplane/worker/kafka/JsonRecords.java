package io.vmplane.worker.kafka;

import io.vmplane.schemas.messages.Json;
import tools.jackson.core.JacksonException;

/** Reads a record value with the contract's mapper; anything unreadable becomes an {@link UnreadableRecordException}. */
public final class JsonRecords {

    private JsonRecords() {
    }

    public static <T> T read(byte[] value, Class<T> type) {
        if (value == null) {
            throw new UnreadableRecordException("the record has no value");
        }
        T read;
        try {
            read = Json.read(value, type);
        }
        catch (JacksonException e) {
            throw new UnreadableRecordException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
        if (read == null) {
            throw new UnreadableRecordException("the record's value is JSON null");
        }
        return read;
    }
}
