package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SampleHeader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads one source of the kernel and turns it into one sample record.
 *
 * <p>What a collector promises, so that callers need no special cases:
 * <ul>
 *   <li>A file that this kernel (or this network namespace) does not have gives a null field or an empty
 *       array/map in the sample and a debug log line, never an exception.</li>
 *   <li>A malformed line is skipped and counted in {@link #malformedLines()}; the rest of the file is kept.</li>
 *   <li>{@link CollectException} means no sample could be made at all: the file every supported kernel has
 *       (such as {@code /proc/interrupts}) is missing or unreadable, which points at a wrong proc or sys root.</li>
 * </ul>
 *
 * <p>Collectors may reuse buffers between calls: call one collector from one thread at a time.
 */
@FunctionalInterface
public interface Collector<T extends SpecificRecord> {

    /** The sample, or null for none this round (a collector that reads only every so many rounds). */
    T collect(SampleHeader header) throws CollectException;

    /** Lines skipped as malformed since this collector was made; only grows, so it can be published as a counter. */
    default long malformedLines() {
        return 0;
    }

    /**
     * Rounds that gave an empty sample because the source could not be read at all (a tool it runs is missing or
     * failing), as opposed to a source this host does not have; only grows.
     */
    default long unavailableRounds() {
        return 0;
    }
}
