package io.tunnelvision.agent.publish;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the spool to Kafka in order, one Kafka transaction per batch: the batch is committed in the spool only
 * after Kafka committed the transaction. A batch that fails is aborted (or its producer is replaced, which fences
 * and aborts it) and sent again from its start after a backoff, so read_committed consumers see every sample
 * exactly once and in order, even across broker outages and agent restarts. Between batches it waits the publish
 * interval, so that one transaction carries the samples of several rounds.
 */
public final class SpoolSender implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolSender.class);
    private static final int BATCH = 500;
    private static final Duration IDLE_WAIT = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final DiskSpool spool;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private final long pauseMs;
    private final Object signal = new Object();
    private boolean woken; // guarded by signal
    private volatile boolean running = true;
    private Producer<byte[], byte[]> producer;
    private Thread thread;

    /** {@code producers} makes transactional producers, all with this agent's one transactional id. */
    public SpoolSender(DiskSpool spool, Supplier<Producer<byte[], byte[]>> producers) {
        this(spool, producers, IDLE_WAIT);
    }

    /**
     * @param publishInterval how long the sender waits after sending what the spool held (unless woken, see
     *        {@link #wake()}): one Kafka transaction per interval instead of one per sample round, which is most
     *        of the agent's own CPU at 1 Hz. A spool holding a full batch or more (a backlog) is sent without waiting.
     */
    public SpoolSender(DiskSpool spool, Supplier<Producer<byte[], byte[]>> producers, Duration publishInterval) {
        this.spool = spool;
        this.producers = producers;
        this.pauseMs = Math.max(IDLE_WAIT.toMillis(), publishInterval.toMillis());
    }

    public synchronized SpoolSender start() {
        thread = new Thread(this, "spool-sender");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    @Override
    public void run() {
        long backoffMs = 100;
        while (running) {
            List<DiskSpool.Entry> batch = spool.peek(BATCH);
            if (batch.isEmpty()) {
                pause();
                continue;
            }
            if (send(batch)) {
                spool.commit(batch.get(batch.size() - 1).next());
                sent.addAndGet(batch.size());
                backoffMs = 100;
                if (batch.size() < BATCH) {
                    pause();
                }
            } else {
                failedBatches.incrementAndGet();
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            }
        }
        discardProducer();
    }

    /** Sends the batch as one transaction; false if Kafka did not commit it. */
    private boolean send(List<DiskSpool.Entry> batch) {
        try {
            if (producer == null) {
                producer = producers.get();
                producer.initTransactions();
            }
            producer.beginTransaction();
            for (DiskSpool.Entry entry : batch) {
                SpoolRecord r = entry.record();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(r.topic(), r.key(), r.value());
                r.headers().forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
                producer.send(record);
            }
            producer.commitTransaction();
            return true;
        } catch (KafkaException e) {
            // Timeouts while the broker is away, fencing, anything: a fresh producer with the same transactional
            // id aborts whatever this one left open, so dropping it is always safe.
            LOG.warn("Kafka did not take {} spooled records ({}); {} waiting in the spool", batch.size(),
                    e.toString(), spool.pendingRecords());
            discardProducer();
            return false;
        }
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing a failed producer: {}", e.toString());
            }
            producer = null;
        }
    }

    /** Ends the current wait for the publish interval, so that what the spool holds is sent now. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Waits the publish interval, or less if woken. */
    private void pause() {
        pause(pauseMs);
    }

    /** Waits {@code ms}, or less if woken or closed. */
    private void pause(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        synchronized (signal) {
            try {
                long left;
                while (!woken && running && (left = deadline - System.nanoTime()) > 0) {
                    signal.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    public long sentRecords() {
        return sent.get();
    }

    public long failedBatches() {
        return failedBatches.get();
    }

    @Override
    public void close() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        // Woken, not interrupted: an interrupt during the spool's file reads closes its FileChannel under it
        // (ClosedByInterruptException). A send in progress ends within the producer's own timeouts.
        wake();
        try {
            t.join(Duration.ofSeconds(10).toMillis());
            if (t.isAlive()) {
                LOG.warn("the spool sender did not stop within 10 s; interrupting it");
                t.interrupt();
                t.join(Duration.ofSeconds(2).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
