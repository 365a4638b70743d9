package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.IrqLine;
import java.util.List;

/**
 * What {@link InterruptsParser} found.
 *
 * @param cpus CPU ids in column order, as the header labels them
 * @param lines the kept rows; their counts follow {@code cpus}
 * @param otherTotals per CPU, the sum of every numbered row that was not kept (each row a 32-bit counter that
 *        wraps on its own, so a delta of this sum can come out negative by a multiple of 2^32)
 * @param malformedLines rows skipped because they could not be read
 */
public record InterruptsParse(int[] cpus, List<IrqLine> lines, long[] otherTotals, int malformedLines) {
}
