package io.tunnelvision.streams.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.streams.avro.HostMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetReportsTest {

    private static final String M = FleetOutlierDetector.SQUEEZE;

    @Test
    void atASamplingIntervalOfTheReportIntervalEveryValueGoesOutAsItComes() {
        FleetReports reports = new FleetReports(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            HostMetrics report = reports.add("gw-1", Map.of(M, (double) i), 10_000 + i * 1000L).orElseThrow();
            assertEquals(Map.of(M, (double) i), report.getValues());
            assertEquals(10_000 + i * 1000L, report.getTimeMs());
        }
    }

    @Test
    void fasterSamplesAreReportedOncePerIntervalAsTheMeanSinceTheLastReport() {
        FleetReports reports = new FleetReports(Duration.ofSeconds(5));
        List<HostMetrics> sent = new ArrayList<>();
        // 1 s samples from 12 s to 23 s: values 12..23
        for (long t = 12; t <= 23; t++) {
            reports.add("gw-1", Map.of(M, (double) t), t * 1000).ifPresent(sent::add);
        }
        assertEquals(List.of(12_000L, 15_000L, 20_000L), sent.stream().map(HostMetrics::getTimeMs).toList());
        assertEquals(12.0, sent.get(0).getValues().get(M), "the first value at once");
        assertEquals((13 + 14 + 15) / 3.0, sent.get(1).getValues().get(M));
        assertEquals((16 + 17 + 18 + 19 + 20) / 5.0, sent.get(2).getValues().get(M));
    }

    @Test
    void eachHostAndMetricHasItsOwnIntervalAndALateValueJoinsTheNextReport() {
        FleetReports reports = new FleetReports(Duration.ofSeconds(5));
        assertTrue(reports.add("gw-1", Map.of(M, 1.0), 5_000).isPresent());
        assertTrue(reports.add("gw-2", Map.of(M, 2.0), 5_000).isPresent(), "another host reports on its own");
        assertEquals(Map.of(FleetOutlierDetector.UDP_RCVBUF_ERRORS, 3.0),
                reports.add("gw-1", Map.of(FleetOutlierDetector.UDP_RCVBUF_ERRORS, 3.0), 6_000).orElseThrow()
                        .getValues(), "a metric not reported yet goes out at once, alone");
        assertTrue(reports.add("gw-1", Map.of(M, 5.0), 4_000).isEmpty(), "out of order: kept for the next report");
        assertEquals(Map.of(M, 7.0), reports.add("gw-1", Map.of(M, 9.0), 10_000).orElseThrow().getValues());
        reports.clear();
        assertEquals(Map.of(M, 4.0), reports.add("gw-1", Map.of(M, 4.0), 11_000).orElseThrow().getValues(),
                "after a restart the next value is reported at once");
    }
}
