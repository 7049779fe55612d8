package io.vmplane.schemas.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Ids and the names derived from them. A VM id is {@code vm-<uuid>}; its libvirt domain is named by the VM id, its
 * {@code <uuid>} is that uuid, and its volumes are {@code <vm id>-disk<N>}, so any retry of a command finds the
 * work an earlier attempt did.
 */
public final class VmIds {

    public static final Pattern VM_ID = Pattern.compile("^vm-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private static final UUID NAMESPACE = UUID.fromString("3f0e3a56-9a8c-4f0b-8d2e-6a1c2b7d9e41");

    private VmIds() {
    }

    public static String newVmId() {
        return "vm-" + UUID.randomUUID();
    }

    /** The VM id an idempotent create converges on: the same project and key always give the same id. */
    public static String vmIdFor(String project, String idempotencyKey) {
        return "vm-" + nameUuid(project + "\u0000" + idempotencyKey);
    }

    /** The operation id of a VM's command of the given generation: stable across retries. */
    public static String operationIdFor(String vmId, long generation) {
        return "op-" + nameUuid(vmId + "\u0000" + generation);
    }

    public static UUID uuidOf(String vmId) {
        return UUID.fromString(vmId.substring(3));
    }

    /** The volume a VM's disk N (0-based, in request order) lives in. */
    public static String volumeName(String vmId, int diskIndex, DiskSpec.Format format) {
        return vmId + "-disk" + diskIndex + (format == DiskSpec.Format.QCOW2 ? ".qcow2" : ".img");
    }

    /** A name-based (version 5, SHA-1) UUID in this product's namespace. */
    static UUID nameUuid(String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(NAMESPACE));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (hash[i] & 0xff);
                lsb = (lsb << 8) | (hash[i + 8] & 0xff);
            }
            return new UUID(msb, lsb);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    private static byte[] toBytes(UUID uuid) {
        var buf = java.nio.ByteBuffer.allocate(16);
        buf.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return buf.array();
    }
}
