package io.tunnelvision.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers peers' probes on one UDP port: only well-formed probe requests from the configured peers' addresses
 * (overlay or underlay), each with exactly its own bytes (kind turned to reply), at most {@code limit} a second
 * for each peer address. It never answers anything else and never sends more bytes than it received, so it cannot
 * be used to amplify traffic, nor to map the fleet from outside (a stranger's probe is counted, not answered).
 *
 * <p>Each peer address has its own token bucket, made at start for the configured addresses only: a flood sent
 * from (or spoofed as) one peer's address spends that address's budget and no other, so the other peers' probes
 * are still answered and their latency samples show no loss the flood caused. The buckets are as many as the
 * configured addresses and a stranger never gets one, so no sender can grow the table or push a peer's bucket
 * out of it. In all, a flood costs at most {@code limit} replies a second per peer address.
 */
public final class ProbeReflector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeReflector.class);

    private final DatagramChannel channel;
    private final Map<InetAddress, TokenBucket> budgets;
    private final ReflectorCounts counts;
    private final Thread thread;

    private ProbeReflector(DatagramChannel channel, int limitPerSecond, Set<InetAddress> peers,
                           ReflectorCounts counts) {
        this.channel = channel;
        long now = System.nanoTime();
        Map<InetAddress, TokenBucket> buckets = new HashMap<>();
        for (InetAddress peer : peers) {
            buckets.put(peer, new TokenBucket(limitPerSecond, now));
        }
        this.budgets = Map.copyOf(buckets);
        this.counts = counts;
        counts.peers(peers);
        this.thread = new Thread(this::serve, "probe-reflector");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code address} (port 0: any free port) and starts answering probes that come from one of
     * {@code peers}, at most {@code limitPerSecond} a second from each.
     */
    public static ProbeReflector start(InetSocketAddress address, int limitPerSecond, Set<InetAddress> peers) {
        return start(address, limitPerSecond, peers, new ReflectorCounts());
    }

    /** As {@link #start(InetSocketAddress, int, Set)}, counting into {@code counts} (the agent's metrics). */
    public static ProbeReflector start(InetSocketAddress address, int limitPerSecond, Set<InetAddress> peers,
                                       ReflectorCounts counts) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("a probe reflector without peers would answer no one");
        }
        try {
            DatagramChannel channel = DatagramChannel.open();
            try {
                channel.bind(address);
            } catch (IOException e) {
                channel.close();
                throw new UncheckedIOException("cannot bind the probe reflector to UDP " + address, e);
            }
            ProbeReflector reflector = new ProbeReflector(channel, limitPerSecond, peers, counts);
            reflector.thread.start();
            return reflector;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the probe reflector's socket", e);
        }
    }

    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long answered() {
        return counts.answeredProbes();
    }

    /** Datagrams that were not probe requests. */
    public long ignored() {
        return counts.of(ReflectorCounts.Drop.NOT_A_PROBE);
    }

    /** Probe requests from an address that is not a configured peer's. */
    public long strangers() {
        return counts.of(ReflectorCounts.Drop.STRANGER);
    }

    /** Probe requests left unanswered because their peer address had spent its budget. */
    public long limited() {
        return counts.of(ReflectorCounts.Drop.OVER_BUDGET);
    }

    private void serve() {
        // one byte more than the largest probe, so an oversized datagram shows as filling the buffer
        ByteBuffer buffer = ByteBuffer.allocateDirect(ProbePacket.MAX_BYTES + 1);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                if (ProbePacket.parse(buffer, ProbePacket.REQUEST).isEmpty()) {
                    counts.dropped(ReflectorCounts.Drop.NOT_A_PROBE);
                    continue;
                }
                TokenBucket budget = from instanceof InetSocketAddress source ? budgets.get(source.getAddress())
                        : null;
                if (budget == null) {
                    counts.dropped(ReflectorCounts.Drop.STRANGER);
                    continue;
                }
                if (!budget.tryTake(System.nanoTime())) {
                    counts.overBudget(((InetSocketAddress) from).getAddress());
                    continue;
                }
                ProbePacket.toReply(buffer);
                channel.send(buffer, from);
                counts.answered();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // a reply that could not go out (no route back, a full buffer): the peer sees it as loss
                LOG.debug("probe reply failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            thread.join(2_000);
        } catch (IOException e) {
            LOG.warn("closing the probe reflector: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
