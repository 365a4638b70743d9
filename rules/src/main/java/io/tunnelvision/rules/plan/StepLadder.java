package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongPredicate;

/**
 * The values a numeric setting may step through, lowest first; the last is the cap. A change moves one step
 * above the current value, never past the cap: more queue is not better past the point where it only adds
 * bufferbloat. The steps are the catalog's ({@link TuningEntry#ladder()}).
 */
public final class StepLadder {

    private StepLadder() {
    }

    public static boolean isNumeric(TuningAction action) {
        return !steps(action).isEmpty();
    }

    /** The next step above {@code current}; empty at or past the cap. */
    public static OptionalLong next(TuningAction action, long current) {
        return next(action, current, step -> false);
    }

    /**
     * The lowest step above {@code current} that is not {@code backedOff}: a value that was rolled back is
     * skipped, the rest of the ladder is not. Empty at or past the cap.
     */
    public static OptionalLong next(TuningAction action, long current, LongPredicate backedOff) {
        for (long step : steps(action)) {
            if (step > current && !backedOff.test(step)) {
                return OptionalLong.of(step);
            }
        }
        return OptionalLong.empty();
    }

    public static long cap(TuningAction action) {
        List<Long> steps = TuningCatalog.entry(action).ladder();
        return steps.get(steps.size() - 1);
    }

    private static List<Long> steps(TuningAction action) {
        return TuningCatalog.find(action).map(TuningEntry::ladder).orElse(List.of());
    }
}
