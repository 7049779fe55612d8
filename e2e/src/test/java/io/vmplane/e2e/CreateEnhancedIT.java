package io.vmplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import io.vmplane.schemas.vm.VmIds;
import tools.jackson.databind.JsonNode;

/**
 * The seed's three examples through the public API of the whole stack, to {@code running} on simulated hosts, and a
 * real QEMU VM on the real host whose VNC port answers.
 */
class CreateEnhancedIT {

    /** The seed's examples, verbatim from INTERFACE.md. */
    static final Map<String, String> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("test-vm", """
                {"name": "test-vm", "memory": 4096, "vcpus": 2,
                 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 20}]}}
                """);
        EXAMPLES.put("gpu-vm", """
                {"name": "gpu-vm", "memory": 8192, "vcpus": 4,
                 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 40}]},
                 "pci_devices": [{"vendor_id": "10de", "product_id": "1eb8"}], "graphics": {"type": "vnc"}}
                """);
        EXAMPLES.put("db-vm", """
                {"name": "db-vm", "memory": 4096, "vcpus": 2,
                 "storage": {"default_pool": "default", "disks": [{"action": "create", "size": 20},
                   {"action": "create", "size": 100, "pool": "fast"}, {"action": "create", "size": 500, "pool": "bulk"}]}}
                """);
    }

    static final String CREATE = "/virtualization/virtualmachines/create-enhanced";

    static LocalStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldRunTheSeedExamplesWithTheGpuVmOnTheGpuHost() throws Exception {
        // Given a user of project "dev"
        String user = stack.tokens.user("dev", "dev");

        // When the three examples are created
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> operations = new LinkedHashMap<>();
        for (var example : EXAMPLES.entrySet()) {
            Api.Response accepted = stack.api.post(CREATE, user, null, example.getValue());
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            JsonNode body = accepted.json();
            String id = body.get("id").asString();
            assertThat(id).matches(VmIds.VM_ID);
            assertThat(body.get("status").asString()).isEqualTo("pending");
            assertThat(accepted.header("Location"))
                    .isEqualTo("/api/v1/operations/" + body.get("operation_id").asString());
            Api.Response right = stack.api.get("/virtualization/virtualmachines/" + id, user);
            assertThat(right.status()).as(right.toString()).isEqualTo(200);
            assertThat(right.json().get("status").asString()).isIn("pending", "provisioning", "running");
            ids.put(example.getKey(), id);
            operations.put(example.getKey(), body.get("operation_id").asString());
        }

        // Then each reaches running, on a simulated host, the GPU VM on the GPU host
        String admin = stack.tokens.admin();
        Map<String, JsonNode> vms = new LinkedHashMap<>();
        for (var entry : ids.entrySet()) {
            vms.put(entry.getKey(), awaitFinal(entry.getValue(), admin));
        }
        vms.forEach((name, vm) -> {
            assertThat(vm.get("status").asString()).as(name + ": " + vm).isEqualTo("running");
            assertThat(vm.get("host").asString()).as(name).isIn("sim-1", "sim-2");
            assertThat(vm.get("name").asString()).isEqualTo(name);
            assertThat(vm.get("project").asString()).isEqualTo("dev");
        });
        assertThat(vms.get("gpu-vm").get("host").asString()).isEqualTo("sim-1");

        // And each domain is what the request asked for
        String testVm = ids.get("test-vm");
        Document testXml = xml(vms.get("test-vm"));
        assertThat(text(testXml, "/domain/name")).isEqualTo(testVm);
        assertThat(text(testXml, "/domain/uuid")).isEqualTo(testVm.substring(3));
        assertThat(disks(testXml, "disk")).containsExactly("default/" + testVm + "-disk0.qcow2");
        assertThat(disks(testXml, "cdrom")).containsExactly("default/ubuntu.iso");
        assertThat(text(testXml, "/domain/devices/graphics/@type")).isEqualTo("vnc");

        Document gpuXml = xml(vms.get("gpu-vm"));
        assertThat(text(gpuXml, "/domain/devices/hostdev[@type='pci']/source/address/@bus")).isEqualTo("0x3b");
        assertThat(text(gpuXml, "/domain/devices/hostdev[@type='pci']/@managed")).isEqualTo("yes");
        assertThat(disks(gpuXml, "cdrom")).containsExactly("default/ubuntu.iso");

        String dbVm = ids.get("db-vm");
        Document dbXml = xml(vms.get("db-vm"));
        assertThat(disks(dbXml, "disk")).containsExactly("default/" + dbVm + "-disk0.qcow2",
                "fast/" + dbVm + "-disk1.qcow2", "bulk/" + dbVm + "-disk2.qcow2");
        assertThat(disks(dbXml, "cdrom")).isEmpty();

        // And the user's view has no domain XML, while the operation reads succeeded
        Api.Response userView = stack.api.get("/virtualization/virtualmachines/" + testVm, user);
        assertThat(userView.json().has("domain_xml")).isFalse();
        JsonNode operation = stack.api.get("/operations/" + operations.get("test-vm"), user).json();
        assertThat(operation.get("vm_id").asString()).isEqualTo(testVm);
        assertThat(operation.get("kind").asString()).isEqualTo("create");
        assertThat(operation.get("state").asString()).isEqualTo("succeeded");
        // with its steps from the accepted request to the running VM on its host
        List<String> steps = new ArrayList<>();
        operation.get("steps").forEach(step -> steps.add(step.get("name").asString()));
        assertThat(steps).startsWith("accepted").contains("placed").endsWith("finished");
        JsonNode finished = operation.get("steps").get(steps.size() - 1);
        assertThat(finished.get("state").asString()).isEqualTo("running");
        assertThat(finished.get("host").asString()).isEqualTo(vms.get("test-vm").get("host").asString());
    }

    @Test
    void shouldBootARealQemuVmWhoseVncPortAnswers() throws Exception {
        // Given an admin pinning a small VM to the real host
        String admin = stack.tokens.admin();
        String body = """
                {"name": "e2e-real", "memory": 256, "vcpus": 1,
                 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 1}]},
                 "placement": {"host": "qemu-1"}}
                """;

        // When it is created
        Api.Response accepted = stack.api.post(CREATE, admin, null, body);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode vm = awaitFinal(accepted.json().get("id").asString(), admin);

        // Then it runs on qemu-1 and its VNC server greets with RFB 3.8
        assertThat(vm.get("status").asString()).as(vm.toString()).isEqualTo("running");
        assertThat(vm.get("host").asString()).isEqualTo("qemu-1");
        Document domain = xml(vm);
        assertThat(text(domain, "/domain/@type")).isIn("kvm", "qemu");
        int port = Integer.parseInt(text(domain, "/domain/devices/graphics[@type='vnc']/@port"));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            byte[] greeting = in.readNBytes(12);
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
        }
    }

    @Test
    void shouldRefuseTheRemovedRootFieldsNamingWhereTheyMoved() {
        String user = stack.tokens.user("dev", "dev");
        Map<String, String> moved = Map.of("storage_pool", "storage.default_pool", "iso_path", "storage.boot_iso",
                "disks", "storage.disks");
        moved.forEach((field, target) -> {
            // Given a v1-shaped body
            String body = "{\"name\": \"v1-vm\", \"memory\": 1024, \"vcpus\": 1, \"" + field + "\": "
                    + (field.equals("disks") ? "[{\"action\": \"create\", \"size\": 1}]" : "\"x\"")
                    + ", \"storage\": {\"default_pool\": \"default\", \"disks\": [{\"action\": \"create\", \"size\": 1}]}}";

            // When it is posted
            Api.Response refused = stack.api.post(CREATE, user, null, body);

            // Then a 400 problem names the field and where it moved
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            JsonNode problem = refused.json();
            assertThat(problem.get("errors").get(0).get("pointer").asString()).isEqualTo("/" + field);
            assertThat(problem.toString()).contains(target);
        });
    }

    @Test
    void shouldConvergeARetriedCreateOnOneVm() {
        // Given a client that retries with the same Idempotency-Key
        String user = stack.tokens.user("alice", "retry");
        String body = EXAMPLES.get("test-vm").replace("test-vm", "retried-vm");

        // When it posts twice
        Api.Response first = stack.api.post(CREATE, user, "key-1", body);
        Api.Response second = stack.api.post(CREATE, user, "key-1", body);

        // Then both answers name one VM and one operation
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(second.status()).as(second.toString()).isEqualTo(202);
        assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(second.json().get("operation_id")).isEqualTo(first.json().get("operation_id"));
        assertThat(awaitFinal(first.json().get("id").asString(), stack.tokens.admin()).get("status").asString())
                .isEqualTo("running");
    }

    @Test
    void shouldShowHostsWithClaimsSubtractedToAdminsOnly() {
        // Given a VM claiming 2 vCPUs and 4096 MiB, pinned to sim-2
        String admin = stack.tokens.admin();
        Api.Response accepted = stack.api.post(CREATE, admin, null, """
                {"name": "claimer", "memory": 4096, "vcpus": 2,
                 "storage": {"default_pool": "default", "disks": [{"action": "create", "size": 1}]},
                 "placement": {"host": "sim-2"}}
                """);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        awaitFinal(accepted.json().get("id").asString(), admin);

        // When the hosts are listed
        JsonNode hosts = stack.api.get("/virtualization/hosts", admin).json().get("items");

        // Then the three hosts are up, and sim-2's free capacity is below its limit
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        hosts.forEach(h -> byId.put(h.get("id").asString(), h));
        assertThat(byId).containsKeys("qemu-1", "sim-1", "sim-2");
        byId.values().forEach(h -> assertThat(h.get("status").asString()).isEqualTo("up"));
        assertThat(byId.get("qemu-1").get("hypervisor").asString()).isEqualTo("qemu");
        JsonNode sim2 = byId.get("sim-2");
        assertThat(sim2.get("hypervisor").asString()).isEqualTo("test");
        assertThat(sim2.get("memory").get("free_mib").asLong())
                .isLessThanOrEqualTo(sim2.get("memory").get("total_mib").asLong() - 4096);
        assertThat(sim2.get("vcpus").get("free").asInt())
                .isLessThanOrEqualTo(sim2.get("vcpus").get("total").asInt() * 4 - 2);
        assertThat(byId.get("sim-1").get("pci_devices").get(0).get("address").asString()).isEqualTo("0000:3b:00.0");
        assertThat(stack.api.get("/virtualization/hosts", stack.tokens.user("dev", "dev")).status()).isEqualTo(403);
    }

    private static JsonNode awaitFinal(String id, String token) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Api.Response response = stack.api.get("/virtualization/virtualmachines/" + id, token);
            last[0] = response.json();
            String status = last[0].path("status").asString();
            return status.equals("running") || status.equals("failed");
        });
        return last[0];
    }

    private static Document xml(JsonNode vm) throws Exception {
        String domainXml = vm.get("domain_xml").asString();
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(domainXml)));
    }

    private static String text(Document document, String xpath) throws Exception {
        return (String) XPathFactory.newInstance().newXPath().evaluate(xpath, document, XPathConstants.STRING);
    }

    /** "pool/volume" of each disk of a device kind, in document order. */
    private static List<String> disks(Document document, String device) throws Exception {
        NodeList sources = (NodeList) XPathFactory.newInstance().newXPath().evaluate(
                "/domain/devices/disk[@device='" + device + "']/source", document, XPathConstants.NODESET);
        List<String> result = new ArrayList<>();
        for (int i = 0; i < sources.getLength(); i++) {
            var source = (org.w3c.dom.Element) sources.item(i);
            result.add(source.getAttribute("pool") + "/" + source.getAttribute("volume"));
        }
        return result;
    }
}
