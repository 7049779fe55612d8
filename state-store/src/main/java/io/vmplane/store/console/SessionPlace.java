package io.vmplane.store.console;

import java.util.List;

/**
 * The answer to {@link ConsoleStore#reserveSession}: a new session's place is held, and this is what the VM had
 * besides it.
 *
 * @param others the VM's other live sessions (on every live instance, places reserved but not yet written included)
 * @param oldest when {@code others} reached the limit asked about, the ids of the oldest of them, oldest first: the
 *               {@code others - limit + 1} a new session must take over to stay within it; empty otherwise
 */
public record SessionPlace(int others, List<String> oldest) {

    public SessionPlace {
        oldest = List.copyOf(oldest);
    }
}
