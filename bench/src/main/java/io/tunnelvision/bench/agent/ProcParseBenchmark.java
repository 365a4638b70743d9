package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.collect.FileBuffer;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.collect.MalformedFileException;
import io.tunnelvision.agent.collect.SoftnetParser;
import io.tunnelvision.agent.collect.SoftnetRecords;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's goal: parsing a 1152-CPU /proc/interrupts (13 MB) and a 480-CPU softnet_stat costs at most three
 * times merely reading the same bytes. Each "readAndParse" is the collector's real path (reused buffer + parser);
 * each "read" reads the same file into a reused byte array and does nothing else. For softnet_stat the parse
 * gives primitive columns and the Avro records are made in a separate step, measured on its own
 * ("readParseAndMap") so that neither hides in the other.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class ProcParseBenchmark {

    private Path dir;
    private Path interrupts;
    private Path softnet;
    private final FileBuffer buffer = new FileBuffer();
    private final InterruptsParser parser = new InterruptsParser();
    private byte[] raw = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void generate() throws IOException {
        dir = Files.createTempDirectory("tv-bench");
        interrupts = dir.resolve("interrupts");
        softnet = dir.resolve("softnet_stat");
        Files.writeString(interrupts, ProcGenerator.interrupts(1152, 1100, 1));
        Files.writeString(softnet, ProcGenerator.softnet(480, 1));
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        Files.deleteIfExists(interrupts);
        Files.deleteIfExists(softnet);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public int interruptsRead() throws IOException {
        return readRaw(interrupts);
    }

    @Benchmark
    public Object interruptsReadAndParse() throws IOException, MalformedFileException {
        return parser.parse(buffer.read(interrupts));
    }

    @Benchmark
    public int softnetRead() throws IOException {
        return readRaw(softnet);
    }

    /** The pure parse: primitive columns, no records. */
    @Benchmark
    public Object softnetReadAndParse() throws IOException {
        return SoftnetParser.parse(buffer.read(softnet));
    }

    /** The collector's whole path: the parse, then the Avro records (boxed nullable fields) made of it. */
    @Benchmark
    public Object softnetReadParseAndMap() throws IOException {
        return SoftnetRecords.of(SoftnetParser.parse(buffer.read(softnet)));
    }

    private int readRaw(Path file) throws IOException {
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                if (length == raw.length) {
                    raw = java.util.Arrays.copyOf(raw, raw.length * 2);
                }
                int n = in.read(raw, length, Math.min(64 * 1024, raw.length - length));
                if (n < 0) {
                    return length;
                }
                length += n;
            }
        }
    }
}
