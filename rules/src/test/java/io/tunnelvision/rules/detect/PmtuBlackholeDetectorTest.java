package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PMTU_BLACKHOLE over path-MTU samples as the agent publishes them; the numbers are those the lab measured through
 * a wireguard-go tunnel of MTU 1420 across a router whose link has MTU 1400 (WireGuard pads to 16 bytes: 1328 passes,
 * 1329 does not).
 */
class PmtuBlackholeDetectorTest {

    private final PmtuBlackholeDetector detector = new PmtuBlackholeDetector(DetectionThresholds.defaults());

    static PmtuPath path(String iface, String address, int tunnelMtu, Integer passed, Integer failed,
                         Integer reported) {
        List<PmtuStep> steps = new ArrayList<>();
        if (passed != null) {
            steps.add(new PmtuStep(passed, 2, 2));
        }
        if (failed != null) {
            steps.add(new PmtuStep(failed, 2, 0));
        }
        return new PmtuPath("gw-b", iface, address, tunnelMtu, steps, passed, failed, reported);
    }

    static PmtuSample sample(PmtuPath... paths) {
        return new PmtuSample(new SampleHeader("gw-a", "boot", 1L, 1_000L, "test"), List.of(paths));
    }

    @Test
    void aPathBelowTheTunnelsMtuWithoutIcmpIsABlackHoleAndTheRemedyIsTheSizeLessTheMargin() {
        List<Finding> findings = detector.evaluate(sample(path("wg0", "10.242.0.2", 1420, 1328, 1329, null)));

        assertEquals(1, findings.size());
        Finding f = findings.get(0);
        assertEquals(HotspotType.PMTU_BLACKHOLE, f.type());
        assertEquals("wg0", f.target());
        assertTrue(f.bad());
        assertEquals(92, f.metric(), "1420 - 1328");
        assertEquals(1320.0, f.evidence().get("recommendedMtu"));
        assertEquals(1328.0, f.evidence().get("effectiveMtu"));
        assertEquals(1329.0, f.evidence().get("smallestFailedBytes"));
        assertTrue(f.summary().contains("black hole"), f.summary());
    }

    @Test
    void anIcmpReportedPathMtuIsDiscoveryWorkingNotABlackHole() {
        Finding f = detector.evaluate(sample(path("wg0", "10.242.0.2", 1420, 1328, 1329, 1400))).get(0);

        assertFalse(f.bad());
        assertEquals(1400.0, f.evidence().get("reportedMtu"));
    }

    @Test
    void aPathThatCarriesTheTunnelsMtuIsGoodAndAnUnreachableOneTellsNothing() {
        Finding good = detector.evaluate(sample(path("wg0", "10.242.0.2", 1320, 1320, null, null))).get(0);
        assertFalse(good.bad());
        assertEquals(0, good.metric());

        assertEquals(List.of(), detector.evaluate(sample(path("wg0", "10.242.0.2", 1420, null, 576, null))),
                "not even the floor passed: no finding");
        assertEquals(List.of(), detector.evaluate(null));
    }

    @Test
    void theWorstPeerOfATunnelDecidesAndEachTunnelHasItsFinding() {
        List<Finding> findings = detector.evaluate(sample(
                path("wg0", "10.242.0.2", 1420, 1420, null, null),
                path("wg0", "10.242.0.3", 1420, 1400, 1401, null),
                path("wg1", "10.243.0.2", 1420, 1420, null, null)));

        assertEquals(2, findings.size());
        assertTrue(findings.get(0).bad());
        assertEquals(1392.0, findings.get(0).evidence().get("recommendedMtu"));
        assertFalse(findings.get(1).bad());
        assertEquals("wg1", findings.get(1).target());
    }

    @Test
    void theRemedyKeepsToTheFamilysMinimumMtu() {
        Finding v6 = detector.evaluate(sample(path("wg0", "fd00::2", 1420, 1284, 1285, null))).get(0);
        assertTrue(v6.bad());
        assertNull(v6.evidence().get("recommendedMtu"), "1276 is below IPv6's 1280: no MTU, MSS clamping instead");
        assertTrue(v6.summary().contains("MSS"), v6.summary());

        Finding v4 = detector.evaluate(sample(path("wg0", "10.242.0.2:7447", 1420, 1284, 1285, null))).get(0);
        assertEquals(1276.0, v4.evidence().get("recommendedMtu"), "IPv4's floor is 576");
        assertEquals(1300, detector.recommendedMtu(1308, true));
        assertNull(detector.recommendedMtu(580, false));
    }

    @Test
    void theMarginIsAThreshold() {
        PmtuBlackholeDetector zero = new PmtuBlackholeDetector(DetectionThresholds.defaults()
                .withOverrides("pmtuMarginBytes=0"));
        assertEquals(1328.0, zero.evaluate(sample(path("wg0", "10.242.0.2", 1420, 1328, 1329, null))).get(0)
                .evidence().get("recommendedMtu"));
    }
}
