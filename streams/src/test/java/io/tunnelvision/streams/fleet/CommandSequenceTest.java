package io.tunnelvision.streams.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandSequenceTest {

    private static final long NOW = 1_767_225_600_000L;

    @Test
    void aFreshGateStartsAtItsClockInMicroseconds() {
        assertEquals(NOW * 1000, CommandSequence.next(0, NOW));
    }

    @Test
    void aFreshStoreStartsAboveEverySequenceIssuedBeforeOnceTheClockMovedOn() {
        long last = 0;
        for (int i = 0; i < 1000; i++) {
            last = CommandSequence.next(last, NOW);
        }

        // the reset takes at least a millisecond: the first sequence of the empty store is above all of them
        assertTrue(CommandSequence.next(0, NOW + 1) > last);
    }

    @Test
    void manyCommandsInOneMillisecondStayStrictlyIncreasingAcrossRestartsThatKeepTheStore() {
        long last = 0;
        for (int restart = 0; restart < 3; restart++) {
            // each restart restores the last sequence from the changelog and issues within the same millisecond
            for (int i = 0; i < 700; i++) {
                long next = CommandSequence.next(last, NOW);
                assertTrue(next > last, next + " > " + last);
                last = next;
            }
        }
        assertEquals(NOW * 1000 + 2099, last, "2100 commands in one millisecond ran 1100 ahead of the clock");
        assertEquals(last + 1, CommandSequence.next(last, NOW + 1), "and the next millisecond does not go back");
    }

    @Test
    void aClockThatJumpsBackNeverMakesASequenceGoBack() {
        long last = CommandSequence.next(0, NOW);

        assertEquals(last + 1, CommandSequence.next(last, NOW - 3_600_000));
    }

    @Test
    void anImpossibleClockFailsInsteadOfWrapping() {
        assertThrows(IllegalArgumentException.class, () -> CommandSequence.next(0, -1));
        assertThrows(ArithmeticException.class, () -> CommandSequence.next(0, Long.MAX_VALUE / 10));
    }
}
