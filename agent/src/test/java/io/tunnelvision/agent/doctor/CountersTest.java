package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CountersTest {

    @Test
    void a32BitCounterThatWrapsIsCountedThrough() {
        assertEquals(10, Counters.delta32(4_294_967_290L, 4));
        assertEquals(5, Counters.delta32(10, 15));
    }

    @Test
    void aCounterThatWentBackOutside32BitsIsAReset() {
        assertEquals(0, Counters.delta32(10_000_000_000L, 5));
        assertEquals(0, Counters.delta64(500, 20));
    }

    @Test
    void aMissingCounterHasNoDelta() {
        assertNull(Counters.delta64(null, 5L));
        assertEquals(3L, Counters.delta64(2L, 5L));
    }
}
