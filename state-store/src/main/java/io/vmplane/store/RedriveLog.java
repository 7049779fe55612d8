package io.vmplane.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * The re-drives of a VM's provisioning, per generation, shared by every worker: the bound on re-drives holds across
 * workers because each re-drive number can be recorded once only.
 */
public interface RedriveLog {

    /**
     * When each recorded re-drive of this generation happened, the first first (re-drive numbers 1..{@code max},
     * stopping at the first one not recorded); empty when there was none.
     */
    Mono<List<Instant>> of(String vmId, long generation, int max);

    /**
     * Records re-drive number {@code n} (from 1) of this generation at {@code at}, unless it was recorded already;
     * the record lives {@code ttl}.
     *
     * @return true when this caller recorded it (and so owns that re-drive), false when another caller did first
     */
    Mono<Boolean> record(String vmId, long generation, int n, Instant at, Duration ttl);
}
