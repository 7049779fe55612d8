package io.vmplane.gateway.web;

import java.time.Duration;

/**
 * A request that ends in a problem. Thrown (or emitted) anywhere in request handling;
 * {@link ProblemExceptionHandler} writes it.
 *
 * @param retryAfter the {@code Retry-After} to send, or null
 */
public final class ApiException extends RuntimeException {

    private final transient Problem problem;
    private final transient Duration retryAfter;

    public ApiException(Problem problem) {
        this(problem, null, null);
    }

    public ApiException(Problem problem, Duration retryAfter, Throwable cause) {
        super(problem.code() + ": " + problem.detail(), cause, false, false);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public Problem problem() {
        return problem;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(Problem.of(400, "Bad Request", code, detail));
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(Problem.of(404, "Not Found", code, detail));
    }

    public static ApiException forbidden(String code, String detail) {
        return new ApiException(Problem.of(403, "Forbidden", code, detail));
    }
}
