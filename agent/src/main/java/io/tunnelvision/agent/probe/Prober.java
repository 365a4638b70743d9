package io.tunnelvision.agent.probe;

import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every series of the current {@link ProbeInterval} one probe every 1/rate seconds from one UDP socket,
 * matches replies to probes by id, and at the end of each interval (after a grace period for the last replies)
 * hands one {@link LatencySample} to the sink. A probe without a reply by then is lost.
 */
public final class Prober implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Prober.class);
    private static final long MAX_GRACE_MS = 1_000;

    private record Pending(ProbeInterval interval, int series, int size, long sentNanos) {
    }

    private final ProbeSettings settings;
    private final Path sysRoot;
    private final HostIdentity identity;
    private final Consumer<LatencySample> sink;
    private final Clock clock;
    private final DatagramChannel channel;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(new SecureRandom().nextLong());
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "probe-send");
        t.setDaemon(true);
        return t;
    });
    private final Thread receiver;
    /** Only the timer thread sends, so one buffer serves every probe. */
    private final ByteBuffer sendBuffer = ByteBuffer.allocate(ProbePacket.MAX_BYTES);
    private volatile ProbeInterval current;

    public Prober(ProbeSettings settings, Path sysRoot, HostIdentity identity, Consumer<LatencySample> sink,
                  Clock clock) {
        this.settings = settings;
        this.sysRoot = sysRoot;
        this.identity = identity;
        this.sink = sink;
        this.clock = clock;
        try {
            this.channel = DatagramChannel.open();
            channel.bind(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the prober's UDP socket", e);
        }
        this.receiver = new Thread(this::receive, "probe-receive");
        this.receiver.setDaemon(true);
    }

    public Prober start() {
        current = plan(clock.millis());
        receiver.start();
        long interval = settings.interval().toMillis();
        timer.scheduleAtFixedRate(this::sendSafely, 0, Math.max(1, 1000 / settings.ratePerSecond()),
                TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::rotateSafely, interval, interval, TimeUnit.MILLISECONDS);
        return this;
    }

    public long publishedSamples() {
        return published.get();
    }

    private ProbeInterval plan(long startMs) {
        return ProbeInterval.plan(startMs, settings.peers(), settings.sizes(), settings.port(), this::tunnelMtu);
    }

    private int tunnelMtu(String tunnel) {
        try {
            return Integer.parseInt(Files.readString(sysRoot.resolve("class/net").resolve(tunnel).resolve("mtu"),
                    StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            LOG.debug("no MTU for tunnel {}: {}", tunnel, e.toString());
            return -1;
        }
    }

    private void sendSafely() {
        try {
            sendRound();
        } catch (RuntimeException e) {
            LOG.error("probe round failed", e);
        }
    }

    private void sendRound() {
        ProbeInterval interval = current;
        for (int i = 0; i < interval.series().size(); i++) {
            ProbeInterval.Series series = interval.series().get(i);
            long id = nextId.getAndIncrement();
            long now = System.nanoTime();
            pending.put(id, new Pending(interval, i, series.sizeBytes(), now));
            interval.sent(i);
            try {
                channel.send(ProbePacket.request(sendBuffer, series.sizeBytes(), id, now), series.target());
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // no route, no buffer: the probe counts as sent and lost, which is what the peer looks like
                LOG.debug("probe to {} failed: {}", series.target(), e.toString());
            }
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(ProbePacket.MAX_BYTES + 1);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                channel.receive(buffer);
                long now = System.nanoTime();
                buffer.flip();
                ProbePacket.parse(buffer, ProbePacket.REPLY).ifPresent(header -> {
                    Pending p = pending.remove(header.id());
                    if (p != null && buffer.remaining() == p.size()) {
                        p.interval().received(p.series(), (now - p.sentNanos()) / 1_000);
                    }
                });
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("probe receive failed: {}", e.toString());
            }
        }
    }

    private void rotateSafely() {
        try {
            ProbeInterval ended = current;
            long endMs = clock.millis();
            current = plan(endMs);
            long grace = Math.min(MAX_GRACE_MS, settings.interval().toMillis() / 2);
            timer.schedule(() -> publishSafely(ended, endMs), grace, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.error("probe interval rotation failed", e);
        }
    }

    private void publishSafely(ProbeInterval ended, long endMs) {
        try {
            pending.values().removeIf(p -> p.interval() == ended);
            SampleHeader header = new SampleHeader(identity.hostId(), identity.bootId(), sequence.getAndIncrement(),
                    endMs, identity.agentVersion());
            sink.accept(ended.toSample(header, endMs));
            published.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.error("publishing a latency sample failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            channel.close();
            timer.awaitTermination(2, TimeUnit.SECONDS);
            receiver.join(2_000);
        } catch (IOException e) {
            LOG.warn("closing the prober: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
