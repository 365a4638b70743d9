package io.tunnelvision.agent.run;

import io.tunnelvision.agent.collect.CollectException;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.RegisteredCollector;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over every enabled collector. All samples of a round share one header, so the sequence of each
 * source rises by one per round and a missing source shows as a gap in its own stream.
 */
public final class CollectionRound {

    private static final Logger LOG = LoggerFactory.getLogger(CollectionRound.class);

    private final CollectorRegistry registry;

    public CollectionRound(CollectorRegistry registry) {
        this.registry = registry;
    }

    /** What one round produced: the samples, and for each collector that failed, why. */
    public record Result(List<SpecificRecord> samples, Map<String, String> failures) {
    }

    /** A collector that fails is logged and left out of this round; the others still publish. */
    public Result collect(SampleHeader header) {
        List<SpecificRecord> samples = new ArrayList<>(registry.collectors().size());
        Map<String, String> failures = new LinkedHashMap<>();
        for (RegisteredCollector<?> collector : registry.collectors()) {
            try {
                SpecificRecord sample = collector.collect(header);
                if (sample != null) { // a collector that reads less often than every round (qdiscs, NIC)
                    samples.add(sample);
                }
            } catch (CollectException e) {
                LOG.warn("collector {} failed: {}", collector.name(), e.getMessage());
                failures.put(collector.name(), e.getMessage());
            } catch (OutOfMemoryError e) {
                // What one collector allocated is garbage once it failed; the next collectors and rounds can go on.
                // FileBuffer refuses files too big for the heap first, so this is the second line of defence.
                String why = "ran out of Java heap (" + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB): give the agent a larger -Xmx (agent/README.md, JVM flags)";
                LOG.error("collector {} {}", collector.name(), why);
                failures.put(collector.name(), why);
            }
        }
        return new Result(samples, failures);
    }

    public CollectorRegistry registry() {
        return registry;
    }
}
