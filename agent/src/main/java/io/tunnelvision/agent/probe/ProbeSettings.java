package io.tunnelvision.agent.probe;

import io.tunnelvision.agent.apply.InterfaceNames;
import io.tunnelvision.agent.collect.Addresses;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.Setting;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The latency probes' settings. Probing is off while no peer is configured; with peers the agent also answers
 * its peers' probes on the same port. Cost: peers x 2 paths x sizes x rate datagrams a second out, as many in,
 * and at most {@code reflectLimit} answered a second from each peer address.
 */
public record ProbeSettings(List<ProbePeer> peers, List<ProbeSize> sizes, int ratePerSecond, Duration interval,
                            int port, int reflectLimit) {

    public static final Setting PEERS = Setting.optional("TUNNELVISION_AGENT_PROBE_PEERS", "",
            "Tunnel peers to probe, name@tunnel=overlayIP,underlayIP;... (e.g. gw-b@vx0=10.98.0.2,192.0.2.2);"
                    + " empty: no probes and no reflector");
    public static final Setting SIZES = Setting.optional("TUNNELVISION_AGENT_PROBE_SIZES", "64,mtu",
            "UDP payload sizes of the probes, comma-separated bytes; mtu = the tunnel's MTU minus IP and UDP"
                    + " headers, re-read every interval");
    public static final Setting RATE = Setting.optional("TUNNELVISION_AGENT_PROBE_RATE", "2",
            "Probes per second of each (peer, path, size), 1 to 50");
    public static final Setting INTERVAL = Setting.optional("TUNNELVISION_AGENT_PROBE_INTERVAL", "10s",
            "Length of one latency sample, between 1s and 10m");
    public static final Setting PORT = Setting.optional("TUNNELVISION_AGENT_PROBE_PORT", "7784",
            "UDP port of the probe reflector, on this agent and on its peers");
    public static final Setting REFLECT_LIMIT = Setting.optional("TUNNELVISION_AGENT_PROBE_REFLECT_LIMIT", "200",
            "Most probes the reflector answers a second from each peer address (1 to 10000), so a flood from one"
                    + " address never spends another's; replies are never bigger than the probe");

    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ProbeSettings {
        peers = List.copyOf(peers);
        sizes = List.copyOf(sizes);
    }

    /** Every peer's overlay and underlay address: the only sources the reflector answers. */
    public Set<InetAddress> peerAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        for (ProbePeer peer : peers) {
            addresses.add(peer.overlay());
            addresses.add(peer.underlay());
        }
        return Set.copyOf(addresses);
    }

    public static List<Setting> settings() {
        return List.of(PEERS, SIZES, RATE, INTERVAL, PORT, REFLECT_LIMIT);
    }

    public static ProbeSettings from(Env env) {
        List<ProbePeer> peers;
        try {
            peers = parsePeers(env.string(PEERS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(PEERS.env() + "=" + env.string(PEERS) + " is not usable: " + e.getMessage(), e);
        }
        List<ProbeSize> sizes;
        try {
            sizes = ProbeSize.parseList(env.string(SIZES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SIZES.env() + "=" + env.string(SIZES) + " is not usable: " + e.getMessage(), e);
        }
        Duration interval = env.duration(INTERVAL);
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new ConfigException(INTERVAL.env() + "=" + env.string(INTERVAL)
                    + " is out of range: use a value between 1s and 10m");
        }
        return new ProbeSettings(peers, sizes, env.integer(RATE, 1, 50), interval, env.integer(PORT, 1, 65_535),
                env.integer(REFLECT_LIMIT, 1, 10_000));
    }

    public boolean enabled() {
        return !peers.isEmpty();
    }

    /** Datagrams this agent sends a second while probing. */
    public int probesPerSecond() {
        return peers.size() * 2 * sizes.size() * ratePerSecond;
    }

    /** {@code name@tunnel=overlay,underlay} entries separated by {@code ;}; addresses must be IP literals. */
    public static List<ProbePeer> parsePeers(String spec) {
        List<ProbePeer> peers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String raw : spec.split(";")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int at = entry.indexOf('@');
            int eq = entry.indexOf('=');
            if (at <= 0 || eq < at + 2) {
                throw new IllegalArgumentException("'" + entry + "' is not name@tunnel=overlayIP,underlayIP");
            }
            String name = entry.substring(0, at).strip();
            String tunnel = entry.substring(at + 1, eq).strip();
            String[] addresses = entry.substring(eq + 1).split(",");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("peer name '" + name + "' must be letters, digits, '.', '_' or '-'");
            }
            String tunnelProblem = InterfaceNames.problem(tunnel);
            if (tunnelProblem != null) {
                throw new IllegalArgumentException("tunnel of " + name + ": " + tunnelProblem);
            }
            if (addresses.length != 2) {
                throw new IllegalArgumentException("'" + entry + "' needs two addresses, overlay and underlay");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("peer " + name + " is given twice");
            }
            peers.add(new ProbePeer(name, tunnel, literal(addresses[0]), literal(addresses[1])));
        }
        return List.copyOf(peers);
    }

    private static InetAddress literal(String raw) {
        InetAddress address = Addresses.literal(raw);
        if (address == null) {
            throw new IllegalArgumentException("'" + raw.strip() + "' is not an IP address (host names are not "
                    + "resolved)");
        }
        return address;
    }
}
