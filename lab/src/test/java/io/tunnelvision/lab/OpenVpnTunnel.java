package io.tunnelvision.lab;

import io.tunnelvision.lab.LabNetwork.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenVPN 2.6 (Debian's {@code openvpn}) peer to peer over UDP 1194 on {@code u0}, a {@code tun} device
 * ({@code tvovpn<a|b>}) each side: TLS with a self-signed EC certificate per gateway, each trusting the other's
 * by fingerprint ({@code --peer-fingerprint}, no CA), so the data channel negotiates OpenVPN's default cipher,
 * AES-256-GCM, as a real deployment would (a static key would mean CBC+HMAC and another overhead).
 *
 * <p>The remote is on the command line; the agent finds the openvpn process by its tun's {@code fdinfo} and the
 * underlay by the route to that remote. Measured here: 52 bytes over IPv4, so 1448, not the often-quoted 1450.
 */
final class OpenVpnTunnel implements LabTunnel {

    private static final int PORT = 1194;

    @Override
    public String label() {
        return "OpenVPN";
    }

    @Override
    public String device(LabNetwork net, Gateway g) {
        return g == net.a ? "tvovpna" : "tvovpnb";
    }

    @Override
    public int rightMtu() {
        return 1448;
    }

    @Override
    public String overheadReason() {
        return "OpenVPN's AES-256-GCM over IPv4/UDP takes 52 bytes";
    }

    @Override
    public void requireTools() {
        LabTunnel.requireCommand("OpenVPN", List.of("openvpn", "--version"), "openvpn");
        LabTunnel.requireCommand("OpenVPN", List.of("openssl", "version"), "openssl");
    }

    @Override
    public void create(LabNetwork net, LabProcesses processes, Path runDir) throws Exception {
        Path dir = Files.createDirectories(runDir.resolve("openvpn"));
        for (Gateway g : List.of(net.a, net.b)) {
            Shell.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=" + g.hostId(), "-keyout", key(dir, g).toString(),
                    "-out", cert(dir, g).toString()));
        }
        Map<Gateway, Process> started = new HashMap<>();
        for (Gateway g : List.of(net.a, net.b)) {
            Gateway peer = net.peer(g);
            String peerFingerprint = Shell.run(List.of("openssl", "x509", "-noout", "-fingerprint", "-sha256",
                    "-in", cert(dir, peer).toString())).strip().replaceFirst("^.*=", "");
            Path log = runDir.resolve(g.hostId() + "-openvpn.log");
            // gw-a is the TLS server of the pair; --dh none: ECDHE only, as 2.6 allows
            List<String> role = g == net.a ? List.of("--tls-server", "--dh", "none") : List.of("--tls-client");
            List<String> command = new ArrayList<>(List.of("openvpn", "--dev", device(net, g),
                    "--dev-type", "tun", "--proto", "udp", "--lport", Integer.toString(PORT), "--remote",
                    peer.underlayIp(), Integer.toString(PORT), "--ifconfig", g.overlayIp(), peer.overlayIp(),
                    "--tun-mtu", Integer.toString(LabNetwork.BAD_MTU), "--cert", cert(dir, g).toString(), "--key",
                    key(dir, g).toString(), "--peer-fingerprint", peerFingerprint, "--verb", "3"));
            command.addAll(role);
            started.put(g, processes.startTool(g.ns(), command, log));
        }
        for (Gateway g : List.of(net.a, net.b)) {
            LabProcesses.awaitLine(started.get(g), runDir.resolve(g.hostId() + "-openvpn.log"),
                    "Initialization Sequence Completed", 30_000);
        }
    }

    private static Path key(Path dir, Gateway g) {
        return dir.resolve(g.hostId() + ".key");
    }

    private static Path cert(Path dir, Gateway g) {
        return dir.resolve(g.hostId() + ".crt");
    }
}
