package io.tunnelvision.agent.publish;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the spool to Kafka in order: a batch is committed in the spool only after Kafka acknowledged every one of
 * its records (idempotent producer, {@code acks=all}). A batch that fails is sent again from its start by a fresh
 * producer after a backoff, so no sample is lost, even across broker outages and agent restarts; the records of a
 * failed batch that did land are sent twice, and consumers drop them by host, boot id and sequence number
 * (streams' {@code SampleOrder}, the api's primary keys). Within one producer the broker itself drops the
 * producer's retries, and with one request in flight ({@link ProducerSettings}) a partition receives the records
 * in spool order: the first copy of each record lands behind every earlier one. Between batches it waits the publish interval, so that one request carries the samples of
 * several rounds when the interval is longer than a round.
 *
 * <p>Not transactional: a transaction per batch (begin, add partitions, commit, a marker on every partition
 * written) per gateway every second loads the central broker's transaction coordinator, for a guarantee that
 * sequence numbers already give. On the agent itself the difference is within the noise (BENCHMARKS.md "Agent").
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

    /** {@code producers} makes idempotent producers ({@link ProducerSettings}). */
    public SpoolSender(DiskSpool spool, Supplier<Producer<byte[], byte[]>> producers) {
        this(spool, producers, IDLE_WAIT);
    }

    /**
     * @param publishInterval how long the sender waits after sending what the spool held (unless woken, see
     *        {@link #wake()}): one produce request per interval instead of one per sample round when the
     *        interval is longer than a round. A spool holding a full batch or more (a backlog) is sent without waiting.
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
            List<DiskSpool.Entry> batch = peek();
            if (batch != null && batch.isEmpty()) {
                pause();
                continue;
            }
            if (batch != null && send(batch) && commit(batch)) {
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

    /**
     * The next batch, or null if the spool's disk failed the read: the thread must live on (a dead sender leaves
     * the spool to fill up unseen), and the records are read again after the backoff.
     */
    private List<DiskSpool.Entry> peek() {
        try {
            return spool.peek(BATCH);
        } catch (RuntimeException e) {
            LOG.error("cannot read the spool: {}; retrying after a backoff", e.toString());
            return null;
        }
    }

    /** Moves the spool's cursor past the batch; false if the spool could not record it (sent again later). */
    private boolean commit(List<DiskSpool.Entry> batch) {
        try {
            spool.commit(batch.get(batch.size() - 1).next());
            return true;
        } catch (RuntimeException e) {
            LOG.error("cannot commit the spool's cursor: {}; the batch will be sent again", e.toString());
            return false;
        }
    }

    /**
     * Sends the batch; true once Kafka acknowledged every record of it.
     *
     * <p>The first record that fails closes the producer at once, from its callback. Without that, an idempotent
     * producer whose batch expired (the broker away) gives itself a new epoch and sends the records behind it, so
     * a partition would hold a gap followed by later samples, and the replay of the gap would arrive out of order
     * (which streams drops as stale). Closing first aborts what is queued behind the failure; the broker refuses
     * what is already in flight behind it (its sequence numbers no longer follow on), so each partition holds a
     * prefix of the batch and the replay from the batch's start only repeats that prefix.
     */
    private boolean send(List<DiskSpool.Entry> batch) {
        try {
            if (producer == null) {
                producer = producers.get();
            }
            Producer<byte[], byte[]> sending = producer;
            AtomicBoolean failed = new AtomicBoolean();
            Callback stopAtFirstFailure = (metadata, error) -> {
                if (error != null && failed.compareAndSet(false, true)) {
                    sending.close(Duration.ZERO);
                }
            };
            List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
            for (DiskSpool.Entry entry : batch) {
                if (failed.get()) {
                    break;
                }
                SpoolRecord r = entry.record();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(r.topic(), r.key(), r.value());
                r.headers().forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
                acks.add(sending.send(record, stopAtFirstFailure));
            }
            sending.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            if (failed.get()) {
                throw new KafkaException("the producer stopped at a failed record");
            }
            return true;
        } catch (KafkaException | IllegalStateException | ExecutionException e) {
            // Timeouts while the broker is away, a producer closed by a failed record, anything: the batch goes
            // again from its start with a fresh producer (a new producer id, so the broker cannot mistake its
            // sequence numbers for the old one's).
            LOG.warn("Kafka did not take {} spooled records ({}); {} waiting in the spool", batch.size(),
                    e.getCause() == null ? e.toString() : e.getCause().toString(), spool.pendingRecords());
            discardProducer();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
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
        // Woken, not interrupted (ThreadStop says why). A send in progress ends within the producer's own timeouts.
        wake();
        ThreadStop.await(t);
    }
}
