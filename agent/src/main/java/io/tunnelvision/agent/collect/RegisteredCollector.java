package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SampleHeader;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;

/**
 * A collector with its name and sample type, timing each run so that the agent's own cost per source and its
 * failures can be published.
 */
public final class RegisteredCollector<T extends SpecificRecord> {

    private final String name;
    private final Class<T> sampleType;
    private final Collector<T> collector;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private volatile long lastNanos;
    private volatile boolean lastSucceeded;

    RegisteredCollector(String name, Class<T> sampleType, Collector<T> collector) {
        this.name = Objects.requireNonNull(name, "name");
        this.sampleType = Objects.requireNonNull(sampleType, "sampleType");
        this.collector = Objects.requireNonNull(collector, "collector");
    }

    public String name() {
        return name;
    }

    public Class<T> sampleType() {
        return sampleType;
    }

    /** Runs the collector once and records how long it took and whether it worked; exceptions pass through. */
    public T collect(SampleHeader header) throws CollectException {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T sample = collector.collect(header);
            ok = true;
            return sample;
        } finally {
            long elapsed = System.nanoTime() - start;
            runs.incrementAndGet();
            totalNanos.addAndGet(elapsed);
            lastNanos = elapsed;
            lastSucceeded = ok;
            if (!ok) {
                failures.incrementAndGet();
            }
        }
    }

    public CollectorStats stats() {
        return new CollectorStats(name, runs.get(), failures.get(), lastNanos, totalNanos.get(), lastSucceeded,
                collector.malformedLines(), collector.unavailableRounds());
    }

    @Override
    public String toString() {
        return "RegisteredCollector{" + name + " -> " + sampleType.getSimpleName() + "}";
    }
}
