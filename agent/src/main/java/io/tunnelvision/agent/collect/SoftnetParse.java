package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import java.util.List;

/**
 * What {@link SoftnetParser} found.
 *
 * @param cpus one entry per readable line, in file order
 * @param malformedLines lines skipped because they could not be read
 */
public record SoftnetParse(List<SoftnetCpu> cpus, int malformedLines) {
}
