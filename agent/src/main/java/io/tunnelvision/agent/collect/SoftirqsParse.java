package io.tunnelvision.agent.collect;

/**
 * What {@link SoftirqsParser} found.
 *
 * @param cpus CPU ids in column order (every possible CPU)
 * @param netRx NET_RX per column, or null when the row is missing or malformed
 * @param netTx NET_TX per column, or null when the row is missing or malformed
 * @param malformedLines rows skipped because they could not be read
 */
public record SoftirqsParse(int[] cpus, long[] netRx, long[] netTx, int malformedLines) {
}
