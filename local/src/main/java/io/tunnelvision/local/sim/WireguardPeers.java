package io.tunnelvision.local.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The peers of a simulated WireGuard tunnel, printed as {@code wg show all dump} prints them. Peer 0 carries the
 * tunnel's traffic (the other end of the site link); peer 1 is a small branch site with a persistent keepalive of
 * 25 s and a trickle of traffic.
 *
 * <p>What WireGuard does (the protocol's timers, wireguard-go's {@code device/constants.go}): a reachable peer
 * completes a handshake when traffic starts and again every 120 s while traffic flows (REKEY_AFTER_TIME). A peer
 * that answers nothing completes none: its latest handshake ages, nothing more comes from it, and this side sends
 * a 148-byte handshake initiation every 5 s (REKEY_TIMEOUT) while it has data or keepalives for it; its data still
 * goes out until the session is 180 s old (REJECT_AFTER_TIME), then only the initiations do. Only the WireGuard
 * view is modelled: the tunnel's own counters do not change when a peer becomes unreachable.
 *
 * <p>Times are the model's own (milliseconds of simulated time since the boot); {@link #dump} turns them into the
 * epoch seconds {@code wg} prints. Not thread-safe: the gateway's one thread advances and prints it.
 */
public final class WireguardPeers {

    static final long REKEY_AFTER_MS = 120_000;
    static final long REKEY_TIMEOUT_MS = 5_000;
    static final long REJECT_AFTER_MS = 180_000;
    static final int INITIATION_BYTES = 148;
    static final int RESPONSE_BYTES = 92;
    static final int KEEPALIVE_BYTES = 32;
    static final int LISTEN_PORT = 51820;
    /** The branch site's traffic each way, bytes per second. */
    static final double BRANCH_BYTES_PER_SEC = 400;
    static final int BRANCH_KEEPALIVE_S = 25;

    private final String iface;
    private final String privateKey;
    private final String publicKey;
    private final List<Peer> peers = new ArrayList<>();
    private long nowMs;

    /** Two peers for the gateway {@code name}'s tunnel {@code iface}; keys and endpoints follow from the name. */
    public WireguardPeers(String name, String iface) {
        this.iface = iface;
        this.privateKey = key(name + "/private");
        this.publicKey = key(name + "/public");
        int site = Math.floorMod(name.hashCode(), 200) + 2;
        peers.add(new Peer(key(name + "/peer-0"), "198.51.100." + site + ":" + LISTEN_PORT, 2, 0));
        peers.add(new Peer(key(name + "/peer-1"), "203.0.113." + site + ":" + LISTEN_PORT, 1, BRANCH_KEEPALIVE_S));
    }

    public int size() {
        return peers.size();
    }

    /**
     * @param tunnelRxBytes bytes the tunnel received in the interval: peer 0's, when it answers
     * @param tunnelTxBytes bytes the tunnel sent in the interval: peer 0's
     * @param unreachable bit {@code i} set: peer {@code i} answers nothing
     */
    void advance(long intervalMs, double tunnelRxBytes, double tunnelTxBytes, long unreachable) {
        double seconds = intervalMs / 1000.0;
        nowMs += intervalMs;
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            double rx = i == 0 ? tunnelRxBytes : BRANCH_BYTES_PER_SEC * seconds;
            double tx = i == 0 ? tunnelTxBytes : BRANCH_BYTES_PER_SEC * seconds;
            boolean wantsToSend = tx > 0 || p.keepaliveS > 0;
            if (!wantsToSend) {
                continue;
            }
            if ((unreachable & (1L << i)) == 0) {
                if (p.handshakeMs < 0 || nowMs - p.handshakeMs >= REKEY_AFTER_MS) {
                    p.handshakeMs = nowMs;
                    p.tx += INITIATION_BYTES;
                    p.rx += RESPONSE_BYTES;
                }
                p.rx += rx + (p.keepaliveS > 0 ? KEEPALIVE_BYTES * seconds / p.keepaliveS : 0);
                p.tx += tx + (p.keepaliveS > 0 ? KEEPALIVE_BYTES * seconds / p.keepaliveS : 0);
                p.lastInitiationMs = nowMs;
            } else {
                boolean sessionAlive = p.handshakeMs >= 0 && nowMs - p.handshakeMs < REJECT_AFTER_MS;
                if (sessionAlive) {
                    p.tx += tx;
                }
                boolean rekeying = p.handshakeMs < 0 || nowMs - p.handshakeMs >= REKEY_AFTER_MS - REKEY_TIMEOUT_MS;
                if (rekeying) {
                    long initiations = (nowMs - p.lastInitiationMs) / REKEY_TIMEOUT_MS;
                    p.tx += initiations * INITIATION_BYTES;
                    p.lastInitiationMs += initiations * REKEY_TIMEOUT_MS;
                } else {
                    p.lastInitiationMs = nowMs;
                }
            }
        }
    }

    /**
     * What {@code wg show all dump} prints at {@code nowEpochMs}, the wall-clock time of the model's present:
     * the interface line ({@code name private-key public-key listen-port fwmark}), then one line per peer
     * ({@code name public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive}).
     */
    public String dump(long nowEpochMs) {
        StringBuilder out = new StringBuilder();
        out.append(iface).append('\t').append(privateKey).append('\t').append(publicKey).append('\t')
                .append(LISTEN_PORT).append("\toff\n");
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            long handshake = p.handshakeMs < 0 ? 0 : (nowEpochMs - (nowMs - p.handshakeMs)) / 1000;
            out.append(iface).append('\t').append(p.publicKey).append("\t(none)\t").append(p.endpoint).append('\t')
                    .append(allowedIps(i, p.allowedIps)).append('\t').append(handshake).append('\t')
                    .append((long) p.rx).append('\t').append((long) p.tx).append('\t')
                    .append(p.keepaliveS > 0 ? Integer.toString(p.keepaliveS) : "off").append('\n');
        }
        return out.toString();
    }

    /** The peer's own address (a /32, which the path-MTU prober probes) first, then the site's networks. */
    private static String allowedIps(int peer, int count) {
        List<String> prefixes = new ArrayList<>();
        prefixes.add(overlay(peer) + "/32");
        for (int k = 1; k < count; k++) {
            prefixes.add("10." + (100 + peer) + "." + k + ".0/24");
        }
        return String.join(",", prefixes);
    }

    /** Peer {@code peer}'s address inside the tunnel. */
    static String overlay(int peer) {
        return "10." + (100 + peer) + ".0.1";
    }

    /** The peer whose overlay address is {@code address}, or -1. */
    int peerAt(String address) {
        for (int i = 0; i < peers.size(); i++) {
            if (overlay(i).equals(address)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * What {@code wg show all allowed-ips} ({@code space}-separated prefixes) or {@code wg show all endpoints}
     * prints: {@code <interface> TAB <public key> TAB <value>} per peer.
     */
    String show(boolean endpoints) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            out.append(iface).append('\t').append(p.publicKey).append('\t')
                    .append(endpoints ? p.endpoint : allowedIps(i, p.allowedIps).replace(',', ' ')).append('\n');
        }
        return out.toString();
    }

    /** A stable base64 key of 32 bytes, as WireGuard's are. */
    private static String key(String seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static final class Peer {
        final String publicKey;
        final String endpoint;
        final int allowedIps;
        final int keepaliveS;
        long handshakeMs = -1;
        long lastInitiationMs;
        double rx;
        double tx;

        Peer(String publicKey, String endpoint, int allowedIps, int keepaliveS) {
            this.publicKey = publicKey;
            this.endpoint = endpoint;
            this.allowedIps = allowedIps;
            this.keepaliveS = keepaliveS;
        }
    }
}
