package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.SpoolFsync;
import io.tunnelvision.agent.publish.SpoolRecord;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends of a 1 KiB record (a sample round's size, about) to the spool under each fsync policy, on this machine's
 * disk ({@code java.io.tmpdir}) and on tmpfs ({@code /dev/shm}). Wall time per append; {@link SpoolFsyncCpu}
 * gives the CPU per append, which a shared machine distorts less.
 *
 * <pre>java -jar bench/target/tunnelvision-bench.jar SpoolAppendBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class SpoolAppendBenchmark {

    @Param({"always", "interval", "never"})
    public String fsync;

    @Param({"disk", "tmpfs"})
    public String where;

    private Path dir;
    private DiskSpool spool;
    private final SpoolRecord record = new SpoolRecord(Topics.standard().softnetSamples.name(),
            new byte[] {1, 2, 3}, new byte[1024]);

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory(root(where), "tv-spool-bench");
        spool = DiskSpool.open(dir, 4L << 30, new SpoolFsync(SpoolFsync.mode(fsync), SpoolFsync.DEFAULT_INTERVAL));
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        spool.close();
        delete(dir);
    }

    @Benchmark
    public void append() {
        spool.append(record);
    }

    static Path root(String where) {
        return where.equals("tmpfs") ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
