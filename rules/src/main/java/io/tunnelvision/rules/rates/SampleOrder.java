package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.SampleHeader;

/**
 * Where a sample stands relative to the last one kept for its host: whether a rate can be taken between them,
 * whether it becomes the new baseline, or whether it is dropped.
 */
public enum SampleOrder {
    /** No earlier sample: keep it as the baseline. */
    FIRST(true, false),
    /** Same boot, newer sequence and time: a rate over the real elapsed time (gaps included), then keep it. */
    NEXT(true, true),
    /**
     * Same boot, newer sequence, but the host's clock reads no later than at the baseline: the clock was stepped
     * back (NTP correction, a VM restored, an operator). The sequence says the sample is newer, so it becomes the
     * baseline; the wall times cannot give the elapsed time, so no rate is taken for this one interval. The next
     * sample is measured from it and rates go on, on the new clock.
     */
    CLOCK_STEP(true, false),
    /** Another boot id: the counters restarted from zero, so no rate; keep it as the new baseline. */
    REBOOT(true, false),
    /** Same boot, the sequence restarted but the time moved on: a new agent process; keep it as the baseline. */
    AGENT_RESTART(true, false),
    /** A duplicate or an out-of-order sample of the same boot (sequence not newer): dropped, the baseline stays. */
    STALE(false, false);

    private final boolean keep;
    private final boolean rate;

    SampleOrder(boolean keep, boolean rate) {
        this.keep = keep;
        this.rate = rate;
    }

    /** Whether the sample replaces the stored baseline. */
    public boolean keep() {
        return keep;
    }

    /** Whether a rate is taken between the baseline and the sample. */
    public boolean rate() {
        return rate;
    }

    /**
     * Orders by boot id and sequence, which the agent keeps rising on disk, never by wall time alone: a clock step
     * back must not make every later sample look old (it did, and the host got no rates until its clock caught up).
     */
    public static SampleOrder of(SampleHeader previous, SampleHeader current) {
        if (previous == null) {
            return FIRST;
        }
        if (!previous.getBootId().equals(current.getBootId())) {
            return REBOOT;
        }
        boolean later = current.getSampleTimeMs() > previous.getSampleTimeMs();
        if (current.getSequence() > previous.getSequence()) {
            return later ? NEXT : CLOCK_STEP;
        }
        return later ? AGENT_RESTART : STALE;
    }
}
