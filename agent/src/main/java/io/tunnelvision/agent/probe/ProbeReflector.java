package io.tunnelvision.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers peers' probes on one UDP port: only well-formed probe requests from the configured peers' addresses
 * (overlay or underlay), each with exactly its own bytes (kind turned to reply), at most {@code limit} a second.
 * It never answers anything else and never sends more bytes than it received, so it cannot be used to amplify
 * traffic, nor to map the fleet from outside (a stranger's probe is counted, not answered); a flood costs at most
 * the limit's worth of replies.
 */
public final class ProbeReflector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeReflector.class);

    private final DatagramChannel channel;
    private final TokenBucket bucket;
    private final Thread thread;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong limited = new AtomicLong();
    private final AtomicLong strangers = new AtomicLong();
    private final Set<InetAddress> peers;

    private ProbeReflector(DatagramChannel channel, int limitPerSecond, Set<InetAddress> peers) {
        this.channel = channel;
        this.peers = Set.copyOf(peers);
        this.bucket = new TokenBucket(limitPerSecond, System.nanoTime());
        this.thread = new Thread(this::serve, "probe-reflector");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code address} (port 0: any free port) and starts answering probes that come from one of
     * {@code peers}.
     */
    public static ProbeReflector start(InetSocketAddress address, int limitPerSecond, Set<InetAddress> peers) {
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
            ProbeReflector reflector = new ProbeReflector(channel, limitPerSecond, peers);
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
        return answered.get();
    }

    /** Datagrams that were not probe requests. */
    public long ignored() {
        return ignored.get();
    }

    /** Probe requests from an address that is not a configured peer's. */
    public long strangers() {
        return strangers.get();
    }

    /** Probe requests left unanswered because of the rate limit. */
    public long limited() {
        return limited.get();
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
                    ignored.incrementAndGet();
                    continue;
                }
                if (!(from instanceof InetSocketAddress source) || !peers.contains(source.getAddress())) {
                    strangers.incrementAndGet();
                    continue;
                }
                if (!bucket.tryTake(System.nanoTime())) {
                    limited.incrementAndGet();
                    continue;
                }
                ProbePacket.toReply(buffer);
                channel.send(buffer, from);
                answered.incrementAndGet();
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
