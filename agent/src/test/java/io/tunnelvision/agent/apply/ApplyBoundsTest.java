package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApplyBoundsTest {

    @Test
    void overridesReplaceOnlyTheActionsTheyName() {
        ApplyBounds bounds = ApplyBounds.parse(" MTU=1280..1500 , TXQUEUELEN=500..5000");

        assertEquals(new ApplyBounds.Range(1280, 1500), bounds.of(TuningAction.MTU).orElseThrow());
        assertEquals(new ApplyBounds.Range(500, 5000), bounds.of(TuningAction.TXQUEUELEN).orElseThrow());
        assertEquals(new ApplyBounds.Range(0, 2), bounds.of(TuningAction.RP_FILTER).orElseThrow());
    }

    @Test
    void actionsCheckedAgainstTheHostHaveNoNumericBounds() {
        ApplyBounds bounds = ApplyBounds.standard();

        assertTrue(bounds.of(TuningAction.RPS_CPUS).isEmpty());
        assertTrue(bounds.of(TuningAction.IRQ_AFFINITY).isEmpty());
        assertTrue(bounds.of(TuningAction.CPU_GOVERNOR).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MTU", "MTU=9000..576", "MTU=a..b", "REBOOT=1..2", "RPS_CPUS=0..3", "MTU:1..2"})
    void aMalformedOverrideIsRefused(String spec) {
        assertThrows(IllegalArgumentException.class, () -> ApplyBounds.parse(spec));
    }
}
