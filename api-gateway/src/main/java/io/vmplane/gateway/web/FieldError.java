package io.vmplane.gateway.web;

/**
 * One problem with one part of a request body.
 *
 * @param pointer JSON pointer (RFC 6901) to the offending value, e.g. {@code /storage/disks/0/size}
 * @param code    stable UPPER_SNAKE code
 * @param message a sentence for people
 */
public record FieldError(String pointer, String code, String message) {
}
