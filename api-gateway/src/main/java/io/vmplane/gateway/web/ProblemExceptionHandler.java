package io.vmplane.gateway.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

/**
 * Turns every exception that leaves a handler, or the dispatcher itself (no route, wrong method, wrong media
 * type), into a problem. Runs before Boot's own error handler, which therefore never answers.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    /** nginx's "client closed request": the status the request log shows when the client went away first. */
    static final HttpStatusCode CLIENT_CLOSED_REQUEST = HttpStatusCode.valueOf(499);

    private final ProblemWriter writer;

    public ProblemExceptionHandler(ProblemWriter writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        if (ex instanceof ApiException api) {
            return writer.write(exchange.getResponse(), api.problem(), api.retryAfter());
        }
        if (ex instanceof ResponseStatusException rse) {
            exchange.getResponse().getHeaders().putAll(rse.getHeaders());
            return writer.write(exchange.getResponse(), fromStatus(rse), null);
        }
        if (ex instanceof DataBufferLimitException) {
            return writer.write(exchange.getResponse(), tooLarge("The request body is too large"), null);
        }
        if (ex instanceof AccessDeniedException) {
            return writer.write(exchange.getResponse(),
                    Problem.of(403, "Forbidden", "FORBIDDEN", "Access to this resource is denied"), null);
        }
        if (clientWentAway(ex)) {
            // e.g. a body cut short: nobody is left to read an answer, and it is not the server's error
            log.debug("The client closed the connection during {} {}", exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath().value());
            exchange.getResponse().setStatusCode(CLIENT_CLOSED_REQUEST);
            return exchange.getResponse().setComplete();
        }
        log.error("Unhandled error on {} {}", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath().value(), ex);
        return writer.write(exchange.getResponse(),
                Problem.of(500, "Internal Server Error", "INTERNAL_ERROR", "The request failed unexpectedly"), null);
    }

    static boolean clientWentAway(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AbortedException) {
                return true;
            }
        }
        return false;
    }

    public static Problem tooLarge(String detail) {
        return Problem.of(413, "Content Too Large", "PAYLOAD_TOO_LARGE", detail);
    }

    private static Problem fromStatus(ResponseStatusException ex) {
        HttpStatusCode status = ex.getStatusCode();
        String title = status instanceof HttpStatus known ? known.getReasonPhrase() : "Error";
        if (ex instanceof MethodNotAllowedException m) {
            return Problem.of(405, title, "METHOD_NOT_ALLOWED",
                    "Method " + m.getHttpMethod() + " is not allowed here; allowed: " + m.getSupportedMethods());
        }
        if (ex instanceof UnsupportedMediaTypeStatusException u) {
            return Problem.of(415, title, "UNSUPPORTED_MEDIA_TYPE",
                    "Content type " + (u.getContentType() == null ? "(none)" : u.getContentType())
                            + " is not supported; send " + u.getSupportedMediaTypes());
        }
        if (ex instanceof NotAcceptableStatusException) {
            return Problem.of(406, title, "NOT_ACCEPTABLE", "None of the accepted media types can be produced");
        }
        if (ex instanceof ServerWebInputException) {
            return Problem.of(400, title, "BAD_REQUEST",
                    ex.getReason() == null ? "The request is malformed" : ex.getReason());
        }
        return switch (status.value()) {
            case 404 -> Problem.of(404, "Not Found", "NOT_FOUND", "No resource at this path");
            case 413 -> tooLarge("The request body is too large");
            default -> Problem.of(status.value(), title, codeOf(status),
                    ex.getReason() == null ? title : ex.getReason());
        };
    }

    private static String codeOf(HttpStatusCode status) {
        return status instanceof HttpStatus known ? known.name() : "HTTP_" + status.value();
    }
}
