package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import io.vmplane.store.HostRecord;
import io.vmplane.store.StateStores;
import io.vmplane.testsupport.Libvirt;
import tools.jackson.databind.JsonNode;

/**
 * A stack of its own and many VMs at once through its API, and what the hosts say about them afterwards: the VMs'
 * final states, the hosts' free capacity (GET hosts) and the domains libvirt holds (the agents' latest inventories
 * in the registry for simulated hosts, virsh for the real host). Closing it stops the stack.
 */
final class Fleet implements AutoCloseable {

    static final String CREATE = "/virtualization/virtualmachines/create-enhanced";

    final LocalStack stack;
    private final StateStores stores;

    private Fleet(LocalStack stack) {
        this.stack = stack;
        this.stores = StateStores.connect(stack.redisUri);
    }

    static Fleet start(LocalStack.Options options) throws Exception {
        LocalStack stack = LocalStack.start(options);
        try {
            return new Fleet(stack);
        }
        catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Posts every body with {@code concurrency} requests in flight, each with its own Idempotency-Key (a 503 is
     * retried with the same key, as a client would); {@code accepted} is told each index once its 202 arrived.
     *
     * @return the VM ids, in the order of the bodies
     */
    List<String> create(List<String> bodies, String token, int concurrency, IntConsumer accepted) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            String prefix = stack.stackId + "-" + System.nanoTime() + "-";
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                int index = i;
                ids.add(pool.submit(() -> {
                    Api.Response response = stack.api.post(CREATE, token, prefix + index, bodies.get(index));
                    for (int retry = 0; response.status() == 503 && retry < 10; retry++) {
                        response = stack.api.post(CREATE, token, prefix + index, bodies.get(index));
                    }
                    assertThat(response.status()).as(response.toString()).isEqualTo(202);
                    accepted.accept(index);
                    return response.json().get("id").asString();
                }));
            }
            List<String> result = new ArrayList<>();
            for (Future<String> id : ids) {
                result.add(id.get());
            }
            return result;
        }
        finally {
            pool.shutdownNow();
        }
    }

    /** Waits until every VM is running or failed, and returns each one's view (admin: with its domain XML). */
    Map<String, JsonNode> awaitFinal(List<String> ids, Duration limit) {
        String admin = stack.tokens.admin();
        Map<String, JsonNode> views = new LinkedHashMap<>();
        await().atMost(limit).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (String id : ids) {
                JsonNode known = views.get(id);
                if (known != null && isFinal(known)) {
                    continue;
                }
                views.put(id, stack.api.get("/virtualization/virtualmachines/" + id, admin).json());
            }
            return views.values().stream().allMatch(Fleet::isFinal);
        });
        return views;
    }

    private static boolean isFinal(JsonNode vm) {
        String status = vm.path("status").asString();
        return status.equals("running") || status.equals("failed");
    }

    /** GET /virtualization/hosts as admin, by host id. */
    Map<String, JsonNode> hosts() {
        Api.Response response = stack.api.get("/virtualization/hosts", stack.tokens.admin());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        response.json().get("items").forEach(h -> byId.put(h.get("id").asString(), h));
        return byId;
    }

    /** The domains a simulated host's agent last reported (its libvirt connection is the only one that sees them). */
    List<String> reportedDomains(String hostId) {
        HostRecord host = stores.hosts().host(hostId).block(Duration.ofSeconds(5));
        assertThat(host).as("host " + hostId + " in the registry").isNotNull();
        return host.inventory().domains() == null ? List.of() : host.inventory().domains();
    }

    /** The domains of this stack on the real host, as virsh lists them. */
    List<String> realHostDomains() {
        List<String> mine = new ArrayList<>();
        for (String name : Libvirt.virsh("-c", "qemu:///system", "list", "--all", "--name").split("\n")) {
            String domain = name.strip();
            if (domain.isEmpty()) {
                continue;
            }
            try {
                if (Libvirt.virsh("-c", "qemu:///system", "dumpxml", domain).contains(stack.stackId)) {
                    mine.add(domain);
                }
            }
            catch (RuntimeException gone) {
                // undefined between list and dumpxml: not ours to count
            }
        }
        return mine;
    }

    @Override
    public void close() throws Exception {
        try {
            stores.close();
        }
        finally {
            stack.close();
        }
    }
}
