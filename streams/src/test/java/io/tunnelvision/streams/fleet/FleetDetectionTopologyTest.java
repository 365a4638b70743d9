package io.tunnelvision.streams.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FleetDetectionTopologyTest {

    /** One outlier report per 1 s sample, so that the outlier tests below count their hysteresis in samples. */
    private final Harness harness = new Harness(DetectionThresholds.defaults().withOverrides("outlierEvery=1s"),
            PlannerSettings.defaults().withEnabled(false));

    @AfterEach
    void close() {
        harness.close();
    }

    private static List<GatewaySim> fleet(int size) {
        List<GatewaySim> hosts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            hosts.add(new GatewaySim("gw-" + i, 2));
        }
        return hosts;
    }

    private void interval(GatewaySim sim, long squeezes) {
        harness.pipe(sim, sim.softnet(squeezes, 0));
        sim.step();
    }

    @Test
    void theSameHotspotOnEnoughOfTheFleetIsAFleetHotspotListingItsGateways() {
        List<GatewaySim> hosts = fleet(8);
        for (int i = 0; i < 5; i++) {
            for (int h = 0; h < hosts.size(); h++) {
                interval(hosts.get(h), h < 3 ? 50 : 0);
            }
        }

        List<Hotspot> fleetHotspots = harness.hotspots.readValuesToList().stream()
                .filter(h -> h.getScope() == HotspotScope.FLEET).toList();
        assertEquals(1, fleetHotspots.size(), "3 of 8 gateways (37%) reach the 30% share once");
        Hotspot fleetHotspot = fleetHotspots.get(0);
        assertEquals(HotspotType.SOFTNET_SQUEEZE, fleetHotspot.getType());
        assertEquals(HotspotState.OPEN, fleetHotspot.getState());
        assertEquals(List.of("gw-0", "gw-1", "gw-2"), fleetHotspot.getHosts());
    }

    @Test
    void twoOfTwentyGatewaysAreNotAFleetHotspot() {
        List<GatewaySim> hosts = fleet(20);
        for (int i = 0; i < 5; i++) {
            for (int h = 0; h < hosts.size(); h++) {
                interval(hosts.get(h), h < 2 ? 50 : 0);
            }
        }

        assertTrue(harness.hotspots.readValuesToList().stream().noneMatch(h -> h.getScope() == HotspotScope.FLEET));
    }

    @Test
    void aGatewayFarFromTheFleetMedianIsAnOutlierEvenBelowTheHostThreshold() {
        List<GatewaySim> hosts = fleet(7);
        for (int i = 0; i < 5; i++) {
            for (int h = 0; h < hosts.size(); h++) {
                // gw-6 squeezes 9/s: under the host threshold of 10/s, but far from a fleet at 0-1/s
                interval(hosts.get(h), h == 6 ? 9 : h % 2);
            }
        }

        List<Hotspot> hotspots = harness.hotspots.readValuesToList();
        assertEquals(1, hotspots.size(), hotspots.toString());
        Hotspot outlier = hotspots.get(0);
        assertEquals(HotspotType.FLEET_OUTLIER, outlier.getType());
        assertEquals("gw-6", outlier.getHostId());
        assertEquals(FleetOutlierDetector.SQUEEZE, outlier.getTarget());
        assertEquals(1.0, outlier.getEvidence().get("fleetMedian"));
    }

    @Test
    void anOutlierClosesAfterEnoughGoodIntervalsAndAnInterruptedStreakStartsOver() {
        List<GatewaySim> hosts = fleet(7);
        // the first sample only sets the baseline; then three bad intervals, five good, two bad, one good, three bad
        int[] gw6 = {0, 9, 9, 9, 0, 0, 0, 0, 0, 9, 9, 0, 9, 9, 9};
        for (int squeezes : gw6) {
            for (int h = 0; h < hosts.size(); h++) {
                interval(hosts.get(h), h == 6 ? squeezes : h % 2);
            }
        }

        List<Hotspot> outliers = harness.hotspots.readValuesToList().stream()
                .filter(h -> h.getType() == HotspotType.FLEET_OUTLIER).toList();
        assertEquals(List.of(HotspotState.OPEN, HotspotState.CLOSED, HotspotState.OPEN),
                outliers.stream().map(Hotspot::getState).toList(), outliers.toString());
        assertTrue(outliers.stream().allMatch(h -> "gw-6".equals(h.getHostId())));
    }

    @Test
    void atTheDefaultCadenceAnOutlierOpensOnItsThirdReportOfFiveSecondsOfSamples() {
        try (Harness defaults = new Harness(DetectionThresholds.defaults(),
                PlannerSettings.defaults().withEnabled(false))) {
            List<GatewaySim> hosts = fleet(7);
            long firstRateMs = hosts.get(0).timeMs() + 1000;
            for (int i = 0; i < 21; i++) {
                for (int h = 0; h < hosts.size(); h++) {
                    GatewaySim sim = hosts.get(h);
                    defaults.pipe(sim, sim.softnet(h == 6 ? 9 : h % 2, 0));
                    sim.step();
                }
            }

            var hotspots = defaults.hotspots.readRecordsToList();
            assertEquals(1, hotspots.size(), hotspots.toString());
            Hotspot outlier = hotspots.get(0).value();
            assertEquals(HotspotType.FLEET_OUTLIER, outlier.getType());
            assertEquals("gw-6", outlier.getHostId());
            assertEquals(9.0, outlier.getEvidence().get(FleetOutlierDetector.SQUEEZE));
            // reports: the first rate at once, then the first rate of each later 5 s interval; the third opens it
            long thirdReportMs = (Math.floorDiv(firstRateMs, 5000) + 2) * 5000;
            long expected = firstRateMs + Math.max(0, (thirdReportMs - firstRateMs + 999) / 1000 * 1000);
            assertEquals(expected, hotspots.get(0).timestamp(), "opened with the sample that made the third report");
        }
    }

    @Test
    void medianAndMadIgnoreOneWildValue() {
        double[] values = {1, 2, 3, 4, 1000};

        assertEquals(3.0, RobustStats.median(values));
        assertEquals(1.0, RobustStats.mad(values, 3.0));
        assertTrue(RobustStats.robustZ(1000, 3, 1) > 600);
    }
}
