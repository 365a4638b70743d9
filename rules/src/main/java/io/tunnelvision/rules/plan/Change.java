package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.TuningAction;

/** One setting to change on one target, from the value seen to the value wanted. */
public record Change(TuningAction action, String target, String expectedValue, String newValue) {

    public String cooldownKey() {
        return cooldownKey(action, target);
    }

    public static String cooldownKey(TuningAction action, String target) {
        return action.name() + "|" + target;
    }

    /** The key of the value this change sets, for the backoff after a rollback. */
    public String backoffKey() {
        return valueKey(action, target, newValue);
    }

    /** The key of the value this change expects, for the pause after the agent refused it. */
    public String refusalKey() {
        return valueKey(action, target, expectedValue);
    }

    public static String valueKey(TuningAction action, String target, String value) {
        return action.name() + "|" + target + "|" + value;
    }
}
