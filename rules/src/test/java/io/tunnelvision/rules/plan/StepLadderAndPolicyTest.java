package io.tunnelvision.rules.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepLadderAndPolicyTest {

    @Test
    void laddersStepOnceAndStopAtTheirCap() {
        assertEquals(2000, StepLadder.next(TuningAction.TXQUEUELEN, 1000).getAsLong());
        assertEquals(5000, StepLadder.next(TuningAction.TXQUEUELEN, 2000).getAsLong());
        assertTrue(StepLadder.next(TuningAction.TXQUEUELEN, 5000).isEmpty());
        assertEquals(1000, StepLadder.next(TuningAction.TXQUEUELEN, 500).getAsLong());
    }

    @Test
    void thePolicyMapsTypesToActionsAndOverridesReplaceEntries() {
        RemediationPolicy policy = RemediationPolicy.parse("TX_DROPS=,SOFTNET_SQUEEZE=netdev_budget+netdev_budget_usecs");

        assertTrue(policy.actionsFor(io.tunnelvision.schemas.avro.HotspotType.TX_DROPS).isEmpty());
        assertEquals(List.of(TuningAction.NETDEV_BUDGET, TuningAction.NETDEV_BUDGET_USECS),
                policy.actionsFor(io.tunnelvision.schemas.avro.HotspotType.SOFTNET_SQUEEZE));
        assertEquals(List.of(TuningAction.MTU),
                policy.actionsFor(io.tunnelvision.schemas.avro.HotspotType.MTU_MISMATCH));
    }
}
