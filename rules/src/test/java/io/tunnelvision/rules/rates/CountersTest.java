package io.tunnelvision.rules.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.SampleHeader;
import org.junit.jupiter.api.Test;

class CountersTest {

    @Test
    void a32BitCounterWrapsOnceAndA64BitOneThatFallsWasReset() {
        assertEquals(10, Counters.delta32(5, 15).getAsLong());
        assertEquals(20, Counters.delta32(0xFFFF_FFFFL - 9, 10).getAsLong());
        assertTrue(Counters.delta32(1L << 40, 5).isEmpty(), "a value past 32 bits cannot have wrapped at 32");
        assertTrue(Counters.delta64(100, 5).isEmpty());
        assertEquals(95, Counters.delta64(5, 100).getAsLong());
    }

    @Test
    void sampleOrderSeparatesRebootsRestartsDuplicatesAndLateSamples() {
        SampleHeader base = new SampleHeader("h", "b", 10L, 10_000L, "v");

        assertEquals(SampleOrder.FIRST, SampleOrder.of(null, base));
        assertEquals(SampleOrder.NEXT, SampleOrder.of(base, new SampleHeader("h", "b", 11L, 11_000L, "v")));
        assertEquals(SampleOrder.REBOOT, SampleOrder.of(base, new SampleHeader("h", "c", 0L, 11_000L, "v")));
        assertEquals(SampleOrder.AGENT_RESTART, SampleOrder.of(base, new SampleHeader("h", "b", 0L, 11_000L, "v")));
        assertEquals(SampleOrder.STALE, SampleOrder.of(base, base));
        assertEquals(SampleOrder.STALE, SampleOrder.of(base, new SampleHeader("h", "b", 9L, 9_000L, "v")));
        assertEquals(SampleOrder.CLOCK_STEP, SampleOrder.of(base, new SampleHeader("h", "b", 11L, 10_000L, "v")),
                "a newer sequence with no time passed gives no rate");
        assertEquals(SampleOrder.CLOCK_STEP, SampleOrder.of(base, new SampleHeader("h", "b", 11L, 10_000L - 3_600_000L,
                "v")), "a newer sequence an hour earlier: the clock stepped back");
        assertFalse(SampleOrder.CLOCK_STEP.rate());
        assertTrue(SampleOrder.CLOCK_STEP.keep(), "the stepped sample is the new baseline");
    }
}
