package io.tunnelvision.agent.probe;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the probe reflector did with each datagram, for the agent's metrics: answered, or dropped with a reason, and
 * the probes dropped over budget per peer address, so a flood shows which address it came from. Thread-safe: the
 * reflector counts, the metrics endpoint reads.
 */
public final class ReflectorCounts {

    /** Why a datagram got no reply. */
    public enum Drop {
        /** Not a well-formed probe request (a reply, garbage, a wrong size). */
        NOT_A_PROBE,
        /** A probe request from an address that is no configured peer's. */
        STRANGER,
        /** A probe request from a peer address whose budget this second is spent. */
        OVER_BUDGET;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final AtomicLong answered = new AtomicLong();
    private final Map<Drop, AtomicLong> dropped = new EnumMap<>(Drop.class);
    /** Keys are the configured peers' addresses only, so the map is as small as the configuration. */
    private final Map<InetAddress, AtomicLong> overBudget = new ConcurrentHashMap<>();

    public ReflectorCounts() {
        for (Drop drop : Drop.values()) {
            dropped.put(drop, new AtomicLong());
        }
    }

    void answered() {
        answered.incrementAndGet();
    }

    void dropped(Drop drop) {
        dropped.get(drop).incrementAndGet();
    }

    /** @param peer one of the configured peer addresses */
    void overBudget(InetAddress peer) {
        dropped(Drop.OVER_BUDGET);
        overBudget.computeIfAbsent(peer, p -> new AtomicLong()).incrementAndGet();
    }

    /** Makes every peer address show in the metrics from the start, at zero. */
    void peers(Set<InetAddress> peers) {
        peers.forEach(p -> overBudget.putIfAbsent(p, new AtomicLong()));
    }

    public long answeredProbes() {
        return answered.get();
    }

    public long of(Drop drop) {
        return dropped.get(drop).get();
    }

    /** Probes dropped over budget by peer address (as text), sorted. */
    public Map<String, Long> overBudgetByPeer() {
        Map<String, Long> out = new TreeMap<>();
        overBudget.forEach((peer, n) -> out.put(peer.getHostAddress(), n.get()));
        return out;
    }
}
