package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuStep;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probes one tunnel path's MTU: don't-fragment ICMP echoes through the tunnel to the peer's overlay address, sized
 * by a {@link PmtuLadder} from a floor up to the tunnel's MTU, with iputils {@code ping -M do} (no Java API sets
 * DF on an ICMP echo), then asks the kernel whether an ICMP "fragmentation needed" came back for the peer's
 * endpoint or overlay address ({@link RouteExceptions}).
 *
 * <p>Each size is {@value #COUNT} echoes 200 ms apart, each waited for at most 1 s (a lost probe alone does not
 * fail a size); a size passes when one echo came back. Sizes are whole IP packets: the ICMP payload is the size
 * less 28 bytes (IPv4 and ICMP headers) or 48 (IPv6 and ICMPv6). A probe costs at most 1.2 s, a ladder at most
 * {@value #MAX_STEPS} probes.
 */
public final class PmtuProber {

    static final int COUNT = 2;
    static final int MAX_STEPS = 12;
    static final int IPV4_FLOOR = 576;
    static final int IPV6_FLOOR = 1280;
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final Function<List<String>, String> commands;

    /** @param commands runs a command, answering its output, or null when it fails (ping exits 1 for no reply) */
    public PmtuProber(Function<List<String>, String> commands) {
        this.commands = commands;
    }

    /** The ping that sends {@value #COUNT} DF echoes of {@code size} bytes (whole IP packets) to {@code to}. */
    static List<String> ping(InetAddress to, int size) {
        boolean v6 = to instanceof Inet6Address;
        return List.of("env", "LC_ALL=C", "ping", v6 ? "-6" : "-4", "-n", "-q", "-M", "do", "-c",
                Integer.toString(COUNT), "-i", "0.2", "-W", "1", "-s", Integer.toString(size - (v6 ? 48 : 28)),
                to.getHostAddress());
    }

    static List<String> routeGet(InetAddress to) {
        return List.of("ip", "-j", "route", "get", to.getHostAddress());
    }

    /** How many echoes came back, from ping's summary line; 0 when it printed none (no reply: it exits 1). */
    static int received(String pingOutput) {
        if (pingOutput == null) {
            return 0;
        }
        Matcher m = RECEIVED.matcher(pingOutput);
        return m.find() ? Integer.parseInt(m.group(2)) : 0;
    }

    /** The smallest size every path of this family must carry. */
    static int floor(InetAddress overlay, int tunnelMtu) {
        return Math.min(tunnelMtu, overlay instanceof Inet6Address ? IPV6_FLOOR : IPV4_FLOOR);
    }

    /** Probes one peer through {@code tunnel} of MTU {@code tunnelMtu}. */
    public PmtuPath probe(WgPeerTargets.Target target, int tunnelMtu) {
        PmtuLadder ladder = new PmtuLadder(floor(target.overlay(), tunnelMtu), tunnelMtu, MAX_STEPS);
        List<PmtuStep> steps = new ArrayList<>();
        for (OptionalInt size = ladder.next(); size.isPresent(); size = ladder.next()) {
            int received = received(commands.apply(ping(target.overlay(), size.getAsInt())));
            steps.add(new PmtuStep(size.getAsInt(), COUNT, received));
            if (received > 0) {
                ladder.passed(size.getAsInt());
            } else {
                ladder.failed(size.getAsInt());
            }
        }
        steps.sort((x, y) -> Integer.compare(x.getSizeBytes(), y.getSizeBytes()));
        Integer reported = null;
        for (InetAddress to : target.endpoint() == null ? List.of(target.overlay())
                : List.of(target.endpoint(), target.overlay())) {
            OptionalInt mtu = RouteExceptions.reportedMtu(commands.apply(routeGet(to)));
            if (mtu.isPresent() && (reported == null || mtu.getAsInt() < reported)) {
                reported = mtu.getAsInt();
            }
        }
        return new PmtuPath(target.publicKey(), target.iface(), target.overlay().getHostAddress(), tunnelMtu, steps,
                ladder.largestPassed(), ladder.smallestFailed(), reported);
    }
}
