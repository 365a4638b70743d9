package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This network namespace's WireGuard interfaces: those in {@code <sys>/class/net} whose {@code uevent} says
 * {@code DEVTYPE=wireguard} (the kernel module), or that have a UAPI socket of their name (a userspace
 * implementation, whose interface is a tun). {@code /run/wireguard} is shared by every namespace of the host, so
 * {@code wg} also lists other namespaces' userspace interfaces; what is not here is theirs.
 */
final class WireguardInterfaces {

    private static final Logger LOG = LoggerFactory.getLogger(WireguardInterfaces.class);

    private final Path classNet;
    private final Path wireGuardSockets;
    private final SmallFiles files = new SmallFiles();

    /** @param wireGuardSockets the directory of the userspace implementations' UAPI sockets, or null for none */
    WireguardInterfaces(Path classNet, Path wireGuardSockets) {
        this.classNet = classNet;
        this.wireGuardSockets = wireGuardSockets;
    }

    Path classNet() {
        return classNet;
    }

    Set<String> local() throws CollectException {
        List<String> names = Dirs.interfaces(classNet);
        Set<String> wireGuard = new HashSet<>();
        for (String name : names) {
            if (wireGuardSockets != null && Files.exists(wireGuardSockets.resolve(name + ".sock"))) {
                wireGuard.add(name);
                continue;
            }
            try {
                if ("wireguard".equals(InterfaceKinds.devType(files.read(classNet.resolve(name).resolve("uevent"))))) {
                    wireGuard.add(name);
                }
            } catch (IOException e) {
                LOG.debug("Cannot read {}: skipped (interface gone?): {}", classNet.resolve(name), e.getMessage());
            }
        }
        return wireGuard;
    }
}
