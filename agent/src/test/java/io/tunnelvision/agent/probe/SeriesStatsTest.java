package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import org.junit.jupiter.api.Test;

class SeriesStatsTest {

    @Test
    void rttFiguresJitterAndLossOfOneInterval() {
        SeriesStats stats = new SeriesStats();
        for (int i = 0; i < 5; i++) {
            stats.sent();
        }
        stats.received(100);
        stats.received(300);
        stats.received(200);
        stats.received(600);

        ProbeStats s = stats.toStats(ProbePath.OVERLAY, "10.98.0.2:7784", 1422);

        assertEquals(ProbePath.OVERLAY, s.getPath());
        assertEquals("10.98.0.2:7784", s.getAddress());
        assertEquals(1422, s.getSizeBytes());
        assertEquals(5, s.getSent());
        assertEquals(4, s.getReceived());
        assertEquals(100L, s.getRttMinUs());
        assertEquals(300L, s.getRttAvgUs());
        assertEquals(600L, s.getRttMaxUs());
        // |300-100| + |200-300| + |600-200| = 700 over 3 differences
        assertEquals(233L, s.getJitterUs());
        assertEquals(0.2, s.getLossRatio(), 1e-9);
    }

    @Test
    void nothingBackMeansNoRttAndFullLoss() {
        SeriesStats stats = new SeriesStats();
        stats.sent();
        stats.sent();

        ProbeStats s = stats.toStats(ProbePath.UNDERLAY, "192.0.2.2:7784", 64);

        assertNull(s.getRttMinUs());
        assertNull(s.getRttAvgUs());
        assertNull(s.getRttMaxUs());
        assertNull(s.getJitterUs());
        assertEquals(1.0, s.getLossRatio());
    }

    @Test
    void oneReplyHasNoJitterAndNothingSentHasNoLoss() {
        SeriesStats one = new SeriesStats();
        one.sent();
        one.received(250);
        assertNull(one.toStats(ProbePath.OVERLAY, "a:1", 64).getJitterUs());
        assertEquals(250L, one.toStats(ProbePath.OVERLAY, "a:1", 64).getRttAvgUs());

        assertEquals(0.0, new SeriesStats().toStats(ProbePath.OVERLAY, "a:1", 64).getLossRatio());
    }

    @Test
    void moreRepliesThanProbesAreNotCounted() {
        SeriesStats stats = new SeriesStats();
        stats.sent();
        stats.received(10);
        stats.received(10);

        assertEquals(1, stats.receivedCount());
        assertEquals(0.0, stats.toStats(ProbePath.OVERLAY, "a:1", 64).getLossRatio());
    }
}
