package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /proc/net/softnet_stat} as a {@link SoftnetSample}: {@link SoftnetParser} reads the columns,
 * {@link SoftnetRecords} makes the records.
 */
public final class SoftnetCollector implements Collector<SoftnetSample> {

    public static final String NAME = "softnet";

    private final Path file;
    private final FileBuffer buffer = new FileBuffer();
    private final AtomicLong malformed = new AtomicLong();

    public SoftnetCollector(Path procRoot) {
        this.file = procRoot.resolve("net/softnet_stat");
    }

    @Override
    public synchronized SoftnetSample collect(SampleHeader header) throws CollectException {
        CharSequence text;
        try {
            text = buffer.read(file);
        } catch (IOException e) {
            throw new CollectException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text == null) {
            throw new CollectException(file + " does not exist, yet every kernel with networking has it: check "
                    + "that the proc root points at a mounted procfs");
        }
        SoftnetTable parsed = SoftnetParser.parse(text);
        malformed.addAndGet(parsed.malformedLines());
        return new SoftnetSample(header, SoftnetRecords.of(parsed));
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }
}
