package io.tunnelvision.agent.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who and what is sampling: host id, the kernel's boot id and this agent's version. */
public record HostIdentity(String hostId, String bootId, String agentVersion) {

    /** Reads {@code sys/kernel/random/boot_id} under the proc root; without it the boot cannot be told apart. */
    public static HostIdentity read(String hostId, Path procRoot) {
        Path file = procRoot.resolve("sys/kernel/random/boot_id");
        String bootId;
        try {
            bootId = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            bootId = "unknown";
        }
        return new HostIdentity(hostId, bootId.isEmpty() ? "unknown" : bootId, version());
    }

    public static String version() {
        String v = HostIdentity.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
