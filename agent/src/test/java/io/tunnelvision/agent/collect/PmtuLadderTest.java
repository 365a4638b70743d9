package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class PmtuLadderTest {

    /** Runs a ladder over a path that carries exactly the sizes {@code passes} accepts. */
    private static PmtuLadder run(int floor, int top, IntPredicate passes) {
        PmtuLadder ladder = new PmtuLadder(floor, top, 12);
        for (OptionalInt size = ladder.next(); size.isPresent(); size = ladder.next()) {
            if (passes.test(size.getAsInt())) {
                ladder.passed(size.getAsInt());
            } else {
                ladder.failed(size.getAsInt());
            }
        }
        return ladder;
    }

    @Test
    void aPathThatCarriesTheTunnelsMtuTakesOneProbe() {
        PmtuLadder ladder = run(576, 1420, size -> true);

        assertEquals(1420, ladder.largestPassed());
        assertNull(ladder.smallestFailed());
        assertEquals(1, ladder.steps().size());
    }

    @Test
    void theBinarySearchFindsTheExactLargestSizeWithinTwelveProbes() {
        for (int mtu = 576; mtu < 1420; mtu += 37) {
            int limit = mtu;
            PmtuLadder ladder = run(576, 1420, size -> size <= limit);

            assertEquals(limit, ladder.largestPassed(), "path of " + limit);
            assertEquals(limit + 1, ladder.smallestFailed(), "path of " + limit);
            assertTrue(ladder.steps().size() <= 12, ladder.steps().size() + " probes for " + limit);
        }
    }

    @Test
    void anUnreachablePeerStopsAfterTheFloorFailed() {
        PmtuLadder ladder = run(576, 1420, size -> false);

        assertNull(ladder.largestPassed());
        assertEquals(576, ladder.smallestFailed());
        assertEquals(2, ladder.steps().size(), "the top, then the floor");
    }

    @Test
    void aLostProbeBelowASizeThatPassedDoesNotEndTheSearchBelowIt() {
        PmtuLadder ladder = new PmtuLadder(576, 1420, 12);
        ladder.failed(1420);
        ladder.failed(998); // lost, although the path carries 1328
        ladder.passed(1000);

        assertEquals(1000, ladder.largestPassed());
        assertEquals(1420, ladder.smallestFailed(), "998 failing says nothing above 1000");
        assertEquals(OptionalInt.of(1210), ladder.next());
    }

    @Test
    void maxStepsBoundsTheProbesAndABadLadderIsRefused() {
        PmtuLadder ladder = new PmtuLadder(576, 1420, 3);
        ladder.failed(1420);
        ladder.passed(576);
        ladder.passed(998);

        assertEquals(OptionalInt.empty(), ladder.next());
        assertThrows(IllegalArgumentException.class, () -> new PmtuLadder(1400, 1300, 12));
        assertThrows(IllegalArgumentException.class, () -> new PmtuLadder(576, 1420, 0));
    }
}
