package io.tunnelvision.agent.publish;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A child process for the spool's fault tests: the real {@link DiskSpool} and {@link SpoolSender} against a real
 * broker, appending numbered records at a steady rate. After each append it writes {@code A <n>} (taken) or
 * {@code R <n>} (refused) to the acks file with one {@code write(2)}, so the line survives a SIGKILL of this
 * process; it keeps its counters in a stats file. A file {@code <stats>.drain} makes it stop appending and go on
 * sending; SIGTERM closes it cleanly.
 *
 * <p>Arguments: spool dir, bootstrap servers, topic, spool max bytes, fsync mode, acks file, stats file, first
 * number, appends a second, record bytes.
 */
public final class SpoolDriver {

    private SpoolDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path spoolDir = Path.of(args[0]);
        String bootstrap = args[1];
        String topic = args[2];
        long maxBytes = Long.parseLong(args[3]);
        SpoolFsync fsync = new SpoolFsync(SpoolFsync.mode(args[4]), SpoolFsync.DEFAULT_INTERVAL);
        Path acks = Path.of(args[5]);
        Path stats = Path.of(args[6]);
        long first = Long.parseLong(args[7]);
        int rate = Integer.parseInt(args[8]);
        int size = Integer.parseInt(args[9]);

        DiskSpool spool = DiskSpool.open(spoolDir, maxBytes, fsync);
        SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                ProducerSettings.forBootstrap(bootstrap, "spool-driver", Duration.ofSeconds(5)),
                new ByteArraySerializer(), new ByteArraySerializer()), Duration.ofMillis(100)).start();
        CountDownLatch loopDone = new CountDownLatch(1);
        running = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            try {
                loopDone.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sender.close();
            spool.close();
            writeStats(stats, spool, sender, "stopped");
        }));
        try (OutputStream out = new FileOutputStream(acks.toFile(), true)) {
            writeStats(stats, spool, sender, "running");
            long periodNanos = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long lastStats = 0;
            Path drain = stats.resolveSibling(stats.getFileName() + ".drain");
            boolean draining = false;
            for (long n = first; running; ) {
                if (!draining) {
                    String line;
                    try {
                        spool.append(new SpoolRecord(topic, KEY, value(n, size)));
                        line = "A " + n + "\n";
                    } catch (SpoolAppendException e) {
                        line = "R " + n + "\n";
                    }
                    out.write(line.getBytes(StandardCharsets.US_ASCII));
                    n++;
                }
                if (System.nanoTime() - lastStats > 200_000_000L) {
                    writeStats(stats, spool, sender, draining ? "draining" : "running");
                    lastStats = System.nanoTime();
                    draining = Files.exists(drain); // stop appending, keep sending
                }
                next += draining ? 100_000_000L : periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } finally {
            loopDone.countDown();
        }
    }

    private static volatile boolean running;
    private static final byte[] KEY = "gw-driver".getBytes(StandardCharsets.UTF_8);

    static byte[] value(long n, int size) {
        byte[] digits = (n + ";").getBytes(StandardCharsets.US_ASCII);
        byte[] value = Arrays.copyOf(digits, Math.max(size, digits.length));
        Arrays.fill(value, digits.length, value.length, (byte) 'x');
        return value;
    }

    private static void writeStats(Path stats, DiskSpool spool, SpoolSender sender, String state) {
        String line = String.format("state=%s pending=%d appendFailures=%d corrupt=%d unreadable=%d dropped=%d"
                        + " sent=%d failedBatches=%d bytes=%d fsyncs=%d%n", state, spool.pendingRecords(),
                spool.appendFailures(), spool.corruptRecords(), spool.unreadableRecords(), spool.droppedRecords(),
                sender.sentRecords(), sender.failedBatches(), spool.bytes(), spool.fsyncs());
        try {
            Path tmp = stats.resolveSibling(stats.getFileName() + ".tmp");
            Files.writeString(tmp, line);
            Files.move(tmp, stats, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("cannot write stats: " + e);
        }
    }
}
