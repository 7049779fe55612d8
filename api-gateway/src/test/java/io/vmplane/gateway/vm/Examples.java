package io.vmplane.gateway.vm;

/** The seed's three create requests, verbatim from INTERFACE.md. */
public final class Examples {

    public static final String SIMPLE = """
            {"name": "test-vm", "memory": 4096, "vcpus": 2,
             "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 20}]}}
            """;

    public static final String GPU = """
            {"name": "gpu-vm", "memory": 8192, "vcpus": 4,
             "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 40}]},
             "pci_devices": [{"vendor_id": "10de", "product_id": "1eb8"}], "graphics": {"type": "vnc"}}
            """;

    public static final String MULTI_DISK = """
            {"name": "db-vm", "memory": 4096, "vcpus": 2,
             "storage": {"default_pool": "default", "disks": [{"action": "create", "size": 20},
               {"action": "create", "size": 100, "pool": "fast"}, {"action": "create", "size": 500, "pool": "bulk"}]}}
            """;

    private Examples() {
    }
}
