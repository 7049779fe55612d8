package io.vmplane.gateway.vm;

/** The codes of field errors in a rejected create request. */
public final class ErrorCodes {

    public static final String REQUIRED = "REQUIRED";
    public static final String INVALID_TYPE = "INVALID_TYPE";
    public static final String INVALID_FORMAT = "INVALID_FORMAT";
    public static final String INVALID_VALUE = "INVALID_VALUE";
    public static final String OUT_OF_RANGE = "OUT_OF_RANGE";
    public static final String TOO_MANY_ITEMS = "TOO_MANY_ITEMS";
    public static final String TOO_FEW_ITEMS = "TOO_FEW_ITEMS";
    public static final String CONFLICTING_FIELDS = "CONFLICTING_FIELDS";
    public static final String UNKNOWN_FIELD = "UNKNOWN_FIELD";
    public static final String REMOVED_FIELD = "REMOVED_FIELD";
    public static final String FORBIDDEN_FIELD = "FORBIDDEN_FIELD";

    private ErrorCodes() {
    }
}
