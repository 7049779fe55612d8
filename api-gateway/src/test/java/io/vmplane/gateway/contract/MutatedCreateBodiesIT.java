package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.vmplane.gateway.contract.BodyMutator.Mutant;
import io.vmplane.gateway.contract.ContractClient.Call;
import io.vmplane.gateway.contract.ContractClient.Exchange;
import io.vmplane.gateway.vm.Examples;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Thousands of invalid create bodies, mutations of the seed's examples, sent to the running gateway. The seed is
 * printed; {@code -Dvmplane.fuzz.seed=N} replays a run and {@code -Dvmplane.fuzz.count=N} changes its size.
 */
class MutatedCreateBodiesIT extends RunningGateway {

    private static final int COUNT = Integer.getInteger("vmplane.fuzz.count", 3000);
    private static final int SENDERS = 3;

    private final String project = "fuzz-" + UUID.randomUUID();

    @Test
    void shouldRefuseEveryMutatedBodyWithAProblemAndPublishNothing() throws Exception {
        // Given a seeded stream of invalid bodies, the command topic's end offsets and an empty project
        long seed = Long.getLong("vmplane.fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] seed " + seed + " (replay with -Dvmplane.fuzz.seed=" + seed + "), " + COUNT
                + " bodies");
        var mutator = new BodyMutator(seed);
        String token = TOKENS.user("fuzzer", project);
        // the gateway creates the topic in the background at start: one valid create in another project settles it
        api.conforming(Call.postJson(CREATE, Examples.SIMPLE).bearer(TOKENS.user("fuzzer", "fuzz-warm-up")));
        Map<TopicPartition, Long> before = commandTopicEndOffsets();

        // When each is posted as a non-admin of that project (by a few senders at once; the bodies are made in
        // seed order)
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<String, int[]> byKind = new TreeMap<>();
        Map<String, List<String>> acceptedByTheDocument = new TreeMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicLong slowestMillis = new AtomicLong(-1);
        AtomicReference<String> slowest = new AtomicReference<>("");
        long started = System.nanoTime();
        Callable<Void> sender = () -> {
            while (true) {
                int i;
                Mutant mutant;
                synchronized (mutator) {
                    i = next.getAndIncrement();
                    if (i >= COUNT) {
                        return null;
                    }
                    mutant = mutator.next();
                }
                long one = System.nanoTime();
                Exchange exchange = api.send(Call.post(CREATE, "application/json", mutant.body()).bearer(token));
                one = (System.nanoTime() - one) / 1_000_000;
                if (one > slowestMillis.getAndAccumulate(one, Math::max)) {
                    slowest.set(one + " ms for " + mutant.kind() + " (" + mutant.description() + ", "
                            + mutant.body().length + " bytes) -> " + exchange.status());
                }
                String problem = problemOf(exchange);
                if (problem != null) {
                    failures.add("#" + i + " " + mutant.kind() + " (" + mutant.description() + "): " + problem
                            + "\n    " + exchange.describe());
                }
                synchronized (byKind) {
                    int[] counts = byKind.computeIfAbsent(mutant.kind(), k -> new int[2]);
                    counts[0]++;
                    if (exchange.requestErrors().isEmpty()) {
                        counts[1]++;
                        acceptedByTheDocument.computeIfAbsent(mutant.kind(), k -> new ArrayList<>())
                                .add(mutant.description() + " -> " + exchange.status());
                    }
                }
            }
        };
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try {
            for (Future<Void> done : senders.invokeAll(Collections.nCopies(SENDERS, sender))) {
                done.get();
            }
        }
        finally {
            senders.shutdownNow();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;

        // Then (a report for people) which kinds the document itself cannot refuse
        System.out.printf("[fuzz] %d bodies in %d ms (%s); slowest: %s%n", COUNT, millis, ContractClient.timings(),
                slowest.get());
        System.out.println("[fuzz] per kind: sent / accepted by the document's schema");
        byKind.forEach((kind, counts) -> System.out.printf("[fuzz]   %-20s %5d / %d%n", kind, counts[0], counts[1]));
        acceptedByTheDocument.forEach((kind, samples) -> System.out.println("[fuzz] the document accepts "
                + kind + ", e.g. " + samples.stream().distinct().limit(4).toList()));
        // and every body got a documented 4xx problem with its code and status
        assertThat(failures).as("seed %d: bodies not refused with a documented problem", seed).isEmpty();
        // and nothing was published or recorded
        assertThat(commandTopicEndOffsets()).as("end offsets of vm.commands.v1, seed %d", seed).isEqualTo(before);
        assertThat(vmsInStore(project)).as("VMs of the fuzzed project, seed %d", seed).isZero();
    }

    /** Why the exchange is not a documented 4xx problem, or null when it is one. */
    private static String problemOf(Exchange exchange) {
        int status = exchange.status();
        if (status < 400 || status >= 500) {
            return "status " + status;
        }
        if (!exchange.contentType().startsWith("application/problem+json")) {
            return "content type " + exchange.contentType();
        }
        if (!exchange.responseErrors().isEmpty()) {
            return "not as documented:" + OpenApiContract.describe(exchange.responseErrors());
        }
        JsonNode problem;
        try {
            problem = exchange.json();
        }
        catch (RuntimeException e) {
            return "not JSON: " + e.getMessage();
        }
        if (!problem.path("code").isString() || problem.path("code").stringValue().isBlank()) {
            return "no code";
        }
        if (problem.path("status").asInt() != status) {
            return "status member " + problem.path("status") + " for HTTP " + status;
        }
        return null;
    }
}
