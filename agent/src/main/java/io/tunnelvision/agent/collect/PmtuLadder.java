package io.tunnelvision.agent.collect;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The sizes a path-MTU probe tries, one at a time: the tunnel's MTU first (a path that carries it needs no more
 * probes), then the floor (a path that does not even carry that is unreachable, not a black hole: nothing to
 * search), then a binary search between the largest size that passed and the smallest that failed until they are
 * one byte apart. From 576 to 1500 that is at most 12 probes. A pure state machine: the caller sends, then says
 * what came back with {@link #passed} or {@link #failed}.
 *
 * <p>The search assumes that a size passes when a larger one did; a lost probe that breaks this (a size fails
 * below one that passed) narrows the search all the same and is visible in {@link #steps()}.
 */
public final class PmtuLadder {

    /** One size tried and whether it passed. */
    public record Step(int sizeBytes, boolean passed) {
    }

    private final int floor;
    private final int top;
    private final int maxSteps;
    private final List<Step> steps = new ArrayList<>();
    private Integer largestPassed;
    private Integer smallestFailed;

    /**
     * @param floor    the smallest size tried (576 for IPv4, 1280 for IPv6: what every such path must carry)
     * @param top      the tunnel's MTU, the largest size tried
     * @param maxSteps the most probes this ladder sends, whatever is left to search
     */
    public PmtuLadder(int floor, int top, int maxSteps) {
        if (floor < 1 || top < floor || maxSteps < 1) {
            throw new IllegalArgumentException("need 1 <= floor <= top and maxSteps >= 1, not floor " + floor
                    + ", top " + top + ", maxSteps " + maxSteps);
        }
        this.floor = floor;
        this.top = top;
        this.maxSteps = maxSteps;
    }

    /** The next size to try, or empty when the ladder is done. */
    public OptionalInt next() {
        if (steps.size() >= maxSteps) {
            return OptionalInt.empty();
        }
        if (steps.isEmpty()) {
            return OptionalInt.of(top);
        }
        if (smallestFailed == null) {
            return OptionalInt.empty(); // the top passed
        }
        if (largestPassed == null) {
            return smallestFailed > floor ? OptionalInt.of(floor) : OptionalInt.empty();
        }
        if (smallestFailed - largestPassed <= 1) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(largestPassed + (smallestFailed - largestPassed) / 2);
    }

    public void passed(int size) {
        steps.add(new Step(size, true));
        largestPassed = largestPassed == null ? size : Math.max(largestPassed, size);
        if (smallestFailed != null && smallestFailed <= size) {
            smallestFailed = null; // an earlier failure was a lost probe: the search goes on above this size
            for (Step s : steps) {
                if (!s.passed() && s.sizeBytes() > size) {
                    smallestFailed = smallestFailed == null ? s.sizeBytes() : Math.min(smallestFailed, s.sizeBytes());
                }
            }
        }
    }

    public void failed(int size) {
        steps.add(new Step(size, false));
        if (largestPassed == null || size > largestPassed) {
            smallestFailed = smallestFailed == null ? size : Math.min(smallestFailed, size);
        }
    }

    /** The largest size that passed, or null when none did. */
    public Integer largestPassed() {
        return largestPassed;
    }

    /** The smallest size above {@link #largestPassed} that failed, or null when every size tried passed. */
    public Integer smallestFailed() {
        return smallestFailed;
    }

    /** Every size tried, in the order tried. */
    public List<Step> steps() {
        return List.copyOf(steps);
    }
}
