package io.tunnelvision.rules.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.PendingCommand;
import io.tunnelvision.rules.plan.PlannerSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemediationVerifierTest {

    private static final String TRACK = "MTU_MISMATCH|vx0";
    private static final long APPLIED_AT = 100_000;

    private final RemediationVerifier verifier = new RemediationVerifier(PlannerSettings.defaults());

    /** A change whose metric went from 40 to 0: verified on the metric alone. */
    private HostState appliedChange(LatencySample latestBefore) {
        HostState state = HostState.newBuilder().build();
        state.getPending().put("c1", PendingCommand.newBuilder().setCommandId("c1").setHotspotId("h1")
                .setTrackKey(TRACK).setAction("MTU").setTarget("vx0").setNewValue("1450").setExpectedValue("1500")
                .setBefore(40).setCreatedAtMs(APPLIED_AT - 1_000).build());
        verifier.onResult(state, new CommandResult("c1", "gw-a", CommandStatus.APPLIED, null, "1500", "1450",
                APPLIED_AT, "dev"), latestBefore);
        return state;
    }

    private static LatencySample latency(long endMs, long overlaySmallUs, long overlayLargeUs, double largeLoss) {
        return latency(endMs, overlaySmallUs, overlayLargeUs, largeLoss, 100);
    }

    private static LatencySample latency(long endMs, long overlaySmallUs, long overlayLargeUs, double largeLoss,
                                         long underlayUs) {
        ProbeStats small = probe(ProbePath.OVERLAY, 64, overlaySmallUs, 0);
        ProbeStats large = probe(ProbePath.OVERLAY, 1422, overlayLargeUs, largeLoss);
        ProbeStats underlay = probe(ProbePath.UNDERLAY, 64, underlayUs, 0);
        return new LatencySample(new SampleHeader("gw-a", "boot", endMs / 1000, endMs, "dev"), 10_000L,
                List.of(new PeerLatency("gw-b", "vx0", List.of(small, large, underlay))));
    }

    private static ProbeStats probe(ProbePath path, int size, long rttUs, double loss) {
        int received = (int) Math.round(20 * (1 - loss));
        return new ProbeStats(path, "10.0.0.2:7784", size, 20, received, received > 0 ? rttUs : null,
                received > 0 ? rttUs : null, received > 0 ? rttUs : null, received > 1 ? 10L : null, loss);
    }

    private List<RemediationVerifier.Judgement> feedMetric(HostState state, int intervals) {
        List<RemediationVerifier.Judgement> all = new java.util.ArrayList<>();
        for (int i = 0; i < intervals; i++) {
            all.addAll(verifier.observe(state, "gw-a", TRACK, 0, APPLIED_AT + 1_000 * (i + 1), APPLIED_AT + 1_000 * (i + 2)));
        }
        return all;
    }

    @Test
    void aChangeThatHelpsItsMetricAndKeepsLatencyIsVerified() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 900, 0));
        assertTrue(verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 280, 400, 0)));

        List<RemediationVerifier.Judgement> judgements = feedMetric(state, 5);

        assertEquals(1, judgements.size());
        assertEquals(Verdict.VERIFIED, judgements.get(0).outcome().getOutcome());
        assertTrue(state.getPending().isEmpty());
    }

    @Test
    void aChangeAfterWhichTheOverlayGotSlowerIsRolledBackEvenThoughItsMetricFell() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 400, 0));
        verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 4_000, 6_000, 0));

        List<RemediationVerifier.Judgement> judgements = feedMetric(state, 5);

        assertEquals(Verdict.ROLLED_BACK, judgements.get(0).outcome().getOutcome());
        String reason = judgements.get(0).rollback().orElseThrow().getReason();
        assertTrue(reason.contains("overlay latency got worse"), reason);
        assertEquals("1500", judgements.get(0).rollback().orElseThrow().getNewValue());
    }

    @Test
    void aBusyGatewaySlowingBothPathsAlikeIsNotHeldAgainstTheChange() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 400, 0));
        // 5 ms more through the tunnel, and 5 ms more around it in the same interval
        verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 5_300, 5_400, 0, 5_100));

        assertEquals(Verdict.VERIFIED, feedMetric(state, 5).get(0).outcome().getOutcome());
    }

    @Test
    void oneSlowIntervalAmongSeveralIsNotAVerdict() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 400, 0));
        verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 9_000, 9_000, 0));
        verifier.observeLatency(state, latency(APPLIED_AT + 21_000, 300, 350, 0));
        verifier.observeLatency(state, latency(APPLIED_AT + 31_000, 310, 380, 0));

        assertEquals(Verdict.VERIFIED, feedMetric(state, 5).get(0).outcome().getOutcome());
    }

    @Test
    void aChangeAfterWhichLargeProbesGetLostIsRolledBack() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 400, 0));
        verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 300, 400, 0.5));

        List<RemediationVerifier.Judgement> judgements = feedMetric(state, 5);

        assertEquals(Verdict.ROLLED_BACK, judgements.get(0).outcome().getOutcome());
        assertTrue(judgements.get(0).rollback().orElseThrow().getReason().contains("large-probe loss got worse"));
    }

    @Test
    void aLittleSchedulingNoiseIsNotWorse() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 100, 100, 0));
        // three times slower, but by less than the absolute floor
        verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 300, 300, 0.05));

        assertEquals(Verdict.VERIFIED, feedMetric(state, 5).get(0).outcome().getOutcome());
    }

    @Test
    void theVerdictWaitsForALatencySampleAfterTheChangeButNotForever() {
        HostState state = appliedChange(latency(APPLIED_AT - 5_000, 300, 400, 0));
        // a sample whose interval began before the change says nothing about it
        assertFalse(verifier.observeLatency(state, latency(APPLIED_AT + 5_000, 9_000, 9_000, 1)));

        assertTrue(feedMetric(state, 5).isEmpty(), "no latency after the change yet: no verdict");
        assertTrue(feedMetric(state, 27).isEmpty(), "still within three 10 s probe intervals of the change");
        List<RemediationVerifier.Judgement> later = feedMetric(state, 29);
        assertEquals(1, later.size(), "three probe intervals after the change the metric decides alone");
        assertEquals(Verdict.VERIFIED, later.get(0).outcome().getOutcome());
    }

    @Test
    void aHostThatDoesNotProbeIsJudgedOnItsMetricAlone() {
        HostState state = appliedChange(null);

        assertFalse(verifier.observeLatency(state, latency(APPLIED_AT + 11_000, 9_000, 9_000, 1)));
        assertEquals(Verdict.VERIFIED, feedMetric(state, 5).get(0).outcome().getOutcome());
    }
}
