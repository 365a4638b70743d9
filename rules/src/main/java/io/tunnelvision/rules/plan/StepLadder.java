package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongPredicate;

/**
 * The values a numeric setting may step through, lowest first; the last is the cap. A change moves one step
 * above the current value, never past the cap: more queue is not better past the point where it only adds
 * bufferbloat.
 */
public final class StepLadder {

    private static final Map<TuningAction, List<Long>> STEPS = Map.of(
            TuningAction.TXQUEUELEN, List.of(1000L, 2000L, 5000L),
            TuningAction.NETDEV_BUDGET, List.of(300L, 600L, 1200L),
            TuningAction.NETDEV_BUDGET_USECS, List.of(2000L, 4000L, 8000L),
            TuningAction.NETDEV_MAX_BACKLOG, List.of(1000L, 2000L, 5000L, 10000L),
            // VPN daemons (wireguard-go, OpenVPN) at gigabit rates want 16-64 MiB of socket buffer
            TuningAction.RMEM_MAX, List.of(4_194_304L, 16_777_216L, 33_554_432L, 67_108_864L),
            TuningAction.WMEM_MAX, List.of(4_194_304L, 16_777_216L, 33_554_432L, 67_108_864L),
            TuningAction.RPS_SOCK_FLOW_ENTRIES, List.of(32_768L, 65_536L),
            TuningAction.RPS_FLOW_CNT, List.of(4096L, 32_768L));

    private StepLadder() {
    }

    public static boolean isNumeric(TuningAction action) {
        return STEPS.containsKey(action);
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
        for (long step : STEPS.getOrDefault(action, List.of())) {
            if (step > current && !backedOff.test(step)) {
                return OptionalLong.of(step);
            }
        }
        return OptionalLong.empty();
    }

    public static long cap(TuningAction action) {
        List<Long> steps = STEPS.get(action);
        return steps.get(steps.size() - 1);
    }
}
