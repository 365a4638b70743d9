package io.tunnelvision.agent.collect;

/**
 * What one collector has cost and how it has fared since the agent started, for the agent's own metrics.
 *
 * @param name the collector's registered name
 * @param runs calls of collect, failed ones included
 * @param failures calls that threw
 * @param lastDurationNanos how long the last call took
 * @param totalDurationNanos all calls together
 * @param lastSucceeded whether the last call returned a sample (false before the first call)
 * @param malformedLines lines skipped as malformed
 * @param unavailableRounds rounds that gave an empty sample because the source could not be read
 *        ({@link Collector#unavailableRounds()})
 */
public record CollectorStats(String name, long runs, long failures, long lastDurationNanos,
        long totalDurationNanos, boolean lastSucceeded, long malformedLines, long unavailableRounds) {
}
