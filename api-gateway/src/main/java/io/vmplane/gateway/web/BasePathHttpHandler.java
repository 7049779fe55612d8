package io.vmplane.gateway.web;

import java.util.Map;

import org.springframework.http.server.reactive.ContextPathCompositeHandler;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * The root handler of the server: the application under {@code spring.webflux.base-path}, as Boot would mount it,
 * plus the health endpoint at its usual root path {@code /actuator/health}, which probes and the launcher call.
 * The health request reaches the same application with an empty context path, so actuator's own mapping of
 * {@code /actuator/health} answers it (it also answers under the base path). Any other path outside the base path
 * gets a 404 problem instead of an empty 404.
 */
public final class BasePathHttpHandler implements HttpHandler {

    private static final String HEALTH = "/actuator/health";

    private final HttpHandler application;
    private final HttpHandler underBasePath;
    private final ProblemWriter problems;
    private final String basePath;

    public BasePathHttpHandler(String basePath, HttpHandler application, ProblemWriter problems) {
        this.application = application;
        this.underBasePath = new ContextPathCompositeHandler(Map.of(basePath, application));
        this.problems = problems;
        this.basePath = basePath;
    }

    @Override
    public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
        String path = request.getPath().value();
        if (path.equals(HEALTH) || path.startsWith(HEALTH + "/")) {
            return application.handle(request, response);
        }
        if (path.equals(basePath) || path.startsWith(basePath + "/")) {
            return underBasePath.handle(request, response);
        }
        return problems.write(response,
                Problem.of(404, "Not Found", "NOT_FOUND", "No resource at this path; the API is under " + basePath),
                null);
    }
}
