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
}
