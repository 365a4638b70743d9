package io.tunnelvision.lab;

import io.tunnelvision.lab.LabNetwork.Gateway;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * WireGuard with Debian's {@code wireguard-go} (this kernel has no wireguard module: wireguard-go makes a tun
 * device and answers {@code wg} on {@code /run/wireguard/<name>.sock}) and {@code wg} from wireguard-tools, one
 * peer each way, endpoints on {@code u0}, UDP 51820.
 *
 * <p>{@code /run} is shared by the namespaces, so the devices are named after the run and the gateway
 * ({@code tvwg<run>a}, {@code tvwg<run>b}): with the same name the second wireguard-go would take the first
 * one's socket. The agent finds the underlay by the route to the peer's endpoint ({@code wg show all endpoints})
 * and the kind by the socket; the detector recommends 1420 (80 bytes, whatever the endpoint's family).
 */
final class WireGuardTunnel implements LabTunnel {

    static final Path SOCKETS = Path.of("/run/wireguard");
    private static final String DEVICE_PREFIX = "tvwg";
    private static final int PORT = 51820;

    @Override
    public String label() {
        return "WireGuard";
    }

    @Override
    public String device(LabNetwork net, Gateway g) {
        return DEVICE_PREFIX + net.run + (g == net.a ? "a" : "b");
    }

    @Override
    public int rightMtu() {
        return 1420;
    }

    @Override
    public String overheadReason() {
        return "WireGuard takes 80 bytes whatever its endpoint's family (wg-quick's 1420)";
    }

    @Override
    public void requireTools() {
        LabTunnel.requireCommand("WireGuard", List.of("wireguard-go", "--version"), "wireguard-go");
        LabTunnel.requireCommand("WireGuard", List.of("wg", "--version"), "wireguard-tools");
    }

    @Override
    public void create(LabNetwork net, LabProcesses processes, Path runDir) throws Exception {
        Path keys = Files.createDirectories(runDir.resolve("wireguard"));
        for (Gateway g : List.of(net.a, net.b)) {
            Path log = runDir.resolve(g.hostId() + "-wireguard-go.log");
            Process p = processes.startTool(g.ns(), List.of("wireguard-go", "-f", device(net, g)), log);
            awaitSocket(p, device(net, g), log);
            Shell.run(List.of("sh", "-c", "umask 077 && wg genkey > " + keys.resolve(g.hostId() + ".key")));
        }
        for (Gateway g : List.of(net.a, net.b)) {
            Gateway peer = net.peer(g);
            String peerKey = Shell.run(List.of("sh", "-c", "wg pubkey < " + keys.resolve(peer.hostId() + ".key")))
                    .strip();
            String dev = device(net, g);
            Shell.run(List.of("ip", "netns", "exec", g.ns(), "wg", "set", dev, "listen-port", Integer.toString(PORT),
                    "private-key", keys.resolve(g.hostId() + ".key").toString(), "peer", peerKey, "endpoint",
                    peer.underlayIp() + ":" + PORT, "allowed-ips", peer.overlayIp() + "/32"));
            LabNetwork.ip(g, "addr", "add", g.overlayIp() + "/24", "dev", dev);
            // wireguard-go makes its device with MTU 1420; the lab's broken tunnel has 1500
            LabNetwork.ip(g, "link", "set", dev, "mtu", Integer.toString(LabNetwork.BAD_MTU), "up");
        }
    }

    /** wireguard-go is ready for {@code wg} once its UAPI socket exists. */
    private static void awaitSocket(Process p, String device, Path log) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(SOCKETS.resolve(device + ".sock"))) {
            if (!p.isAlive()) {
                throw new AssertionError("wireguard-go " + device + " exited " + p.exitValue() + ":\n"
                        + LabProcesses.tail(log));
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("wireguard-go made no " + SOCKETS.resolve(device + ".sock") + " in 10 s:\n"
                        + LabProcesses.tail(log));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Sockets of the lab's devices left by a killed wireguard-go: only names this class makes, and only of runs not
     * in {@code liveRuns} (a device is {@code tvwg<run><a|b>}).
     */
    static void removeStaleSockets(java.util.Set<String> liveRuns) {
        if (!Files.isDirectory(SOCKETS)) {
            return;
        }
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(SOCKETS, DEVICE_PREFIX + "*.sock")) {
            for (Path socket : sockets) {
                String device = socket.getFileName().toString().replace(".sock", "");
                String run = device.substring(DEVICE_PREFIX.length(), Math.max(DEVICE_PREFIX.length(),
                        device.length() - 1));
                if (!liveRuns.contains(run)) {
                    Files.deleteIfExists(socket);
                }
            }
        } catch (IOException e) {
            System.err.println("could not remove stale lab sockets in " + SOCKETS + ": " + e.getMessage());
        }
    }
}
