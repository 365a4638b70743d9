package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.LinkCounters;
import java.util.List;

/**
 * What {@link ProcNetDevParser} found.
 *
 * @param interfaces one entry per readable line, in file order
 * @param malformedLines lines skipped because they could not be read
 */
public record LinkParse(List<LinkCounters> interfaces, int malformedLines) {
}
