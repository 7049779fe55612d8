package io.vmplane.gateway.console;

import io.vmplane.gateway.web.ApiException;
import io.vmplane.gateway.web.Problem;

/**
 * The console endpoints' refusals: problem details whose {@code code} is a console code and which also carry
 * {@code message}, so each body is a {@code ConsoleError} as well.
 */
final class ConsoleProblems {

    private ConsoleProblems() {
    }

    static Problem of(int status, String title, String code, String message) {
        return Problem.of(status, title, code, message).with("message", message);
    }

    static Problem unavailable(String message) {
        return of(503, "Service Unavailable", "CONSOLE_UNAVAILABLE", message);
    }

    static ApiException notRunning(String status) {
        return new ApiException(of(409, "Conflict", "VM_NOT_RUNNING",
                "The VM is " + status + "; a console opens only on a running VM").with("vm_status", status));
    }

    static ApiException noGraphics() {
        return new ApiException(of(409, "Conflict", "CONSOLE_UNAVAILABLE", "The VM has no graphics (type none)"));
    }

    static ApiException noPort(String protocol) {
        return new ApiException(of(409, "Conflict", "CONSOLE_UNAVAILABLE", "The VM runs without a " + protocol
                + " port on its host (a simulated host's graphics listen nowhere: create the VM with an explicit"
                + " graphics port, admin only, or on a real host)"));
    }

    static Problem rateLimited() {
        return of(429, "Too Many Requests", "RATE_LIMITED", "Too many console tokens asked for; retry later");
    }
}
