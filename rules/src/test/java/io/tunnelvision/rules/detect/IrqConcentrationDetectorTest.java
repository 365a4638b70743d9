package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IrqConcentrationDetectorTest {

    private final IrqConcentrationDetector detector = new IrqConcentrationDetector(DetectionThresholds.defaults());

    /**
     * Each fixture's judged devices as device=queues, and the ones found concentrated, by names only and with
     * the sample's placement (the chip's bus address where the kernel prints one).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "mlx5-spread.txt            | 0000:3b:00.0=4                                 | -                  | -",
            "mlx5-on-cpu0.txt           | 0000:3b:00.0=4                                 | 0000:3b:00.0       | 0000:3b:00.0",
            "i40e-virtio-guest.txt      | enP1s15=4 virtio0=1                            | enP1s15            | enP1s15",
            "ice.txt                    | em3=4                                          | -                  | -",
            "gve.txt                    | 0000:00:04.0=4                                 | 0000:00:04.0       | 0000:00:04.0",
            "ena.txt                    | ens5=4                                         | -                  | -",
            "virtio-net-spread.txt      | virtio5=4                                      | -                  | -",
            "bnxt-and-single-queue.txt  | enp59s0f0np0=4 eth1=1 eth2=1                   | enp59s0f0np0       | enp59s0f0np0",
    })
    void devicesAreJudgedWholeWithTheirQueueCounts(String fixture, String judged,
                                                                       String badByName, String badPlaced) {
        InterruptsFixture f = InterruptsFixture.read(fixture);

        List<Finding> byName = detector.evaluate(f.rates());
        List<Finding> placed = detector.evaluate(f.rates(), f.sample());

        assertEquals(judged, queues(byName));
        assertEquals(badByName == null ? Set.of() : Set.of(badByName.split(" ")), bad(byName));
        assertEquals(badPlaced == null ? Set.of() : Set.of(badPlaced.split(" ")), bad(placed));
    }

    @Test
    void aSpreadMlx5NicIsOneGoodFindingNotOnePerVector() {
        List<Finding> findings = detector.evaluate(InterruptsFixture.read("mlx5-spread.txt").rates());

        assertEquals(1, findings.size());
        assertFalse(findings.get(0).bad());
        assertEquals(4.0, findings.get(0).evidence().get("queues"));
    }

    @Test
    void aSingleQueueNicOnOneCpuIsNoFinding() {
        Finding eth1 = detector.evaluate(InterruptsFixture.read("bnxt-and-single-queue.txt").rates()).stream()
                .filter(f -> f.target().equals("eth1")).findFirst().orElseThrow();

        // all of its interrupts on one CPU, by design: moving its one IRQ only moves the hotspot (RPS spreads it)
        assertFalse(eth1.bad());
        assertEquals(1.0, eth1.evidence().get("queues"));
        assertEquals(1.0, eth1.evidence().get("topCpuShare"));
    }

    @Test
    void controlVectorsNeitherCountAsQueuesNorAddInterrupts() {
        Finding mlx5 = detector.evaluate(InterruptsFixture.read("mlx5-on-cpu0.txt").rates()).get(0);

        assertEquals(4.0, mlx5.evidence().get("queues"));
        assertEquals(5100 + 4900 + 5050 + 4950, mlx5.evidence().get("irqPerSec"), 1e-9);
    }

    private static String queues(List<Finding> findings) {
        Map<String, Integer> out = new TreeMap<>();
        findings.forEach(f -> out.put(f.target(), f.evidence().get("queues").intValue()));
        return out.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static Set<String> bad(List<Finding> findings) {
        return findings.stream().filter(Finding::bad).map(Finding::target).collect(Collectors.toSet());
    }
}
