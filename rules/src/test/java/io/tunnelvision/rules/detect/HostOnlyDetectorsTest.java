package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The detectors that were the doctor's checks, judged against the fleet's default thresholds. */
class HostOnlyDetectorsTest {

    private static final DetectionThresholds DEFAULTS = DetectionThresholds.defaults();
    private static final SampleHeader HEADER = new SampleHeader("gw", "boot", 1L, 5000L, "test");
    private static final RateHeader RATE_HEADER = new RateHeader("gw", "boot", 0L, 5000L, 0L, 1L);

    private static KernelSettingsSample kernel(Map<String, Integer> rpFilter, Map<String, String> governors,
            Long sockFlowEntries) {
        return KernelSettingsSample.newBuilder().setHeader(HEADER).setRpFilter(new HashMap<>(rpFilter))
                .setCpuGovernors(new HashMap<>(governors)).setRpsSockFlowEntries(sockFlowEntries).build();
    }

    private static InterruptRates softirqShares(Double... shares) {
        List<Integer> cpus = new java.util.ArrayList<>();
        List<Double> zeros = new java.util.ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            cpus.add(i);
            zeros.add(0.0);
        }
        return InterruptRates.newBuilder().setHeader(RATE_HEADER).setCpus(cpus).setLines(List.of())
                .setOtherPerSecond(zeros).setNetRxPerSecond(zeros).setNetTxPerSecond(zeros)
                .setSoftirqShare(List.of(shares)).build();
    }

    private static KernelRates kernelRates(Double sndbuf, Double fragCreates, Double fragFails) {
        return KernelRates.newBuilder().setHeader(RATE_HEADER).setUdpSndbufErrorsPerSec(sndbuf)
                .setIpFragCreatesPerSec(fragCreates).setIpReasmReqdsPerSec(0.0).setIpFragFailsPerSec(fragFails)
                .setIpReasmFailsPerSec(0.0).build();
    }

    private static Finding bad(List<Finding> findings) {
        List<Finding> bad = findings.stream().filter(Finding::bad).toList();
        assertEquals(1, bad.size(), findings.toString());
        return bad.get(0);
    }

    @Test
    void aCoreBusyWithSoftirqsWarnsAtTheBusyShareAndIsCriticalAtTheSaturatedShare() {
        List<Finding> findings = new SoftirqLoadDetector(DEFAULTS).evaluate(softirqShares(0.3, 0.5, 0.05, 0.29));

        assertEquals(List.of(true, true, false, false), findings.stream().map(Finding::bad).toList());
        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals(Severity.CRITICAL, findings.get(1).severity());
        assertEquals("cpu1", findings.get(1).target());
        assertEquals(1.0, findings.get(1).evidence().get("coolCpus"), "only cpu2 is below 10%");
    }

    @Test
    void fragmentsWarnAndFailedFragmentationIsCritical() {
        FragmentationDetector detector = new FragmentationDetector(DEFAULTS);

        assertFalse(detector.evaluate(kernelRates(0.0, 0.99, 0.0)).get(0).bad());
        assertEquals(Severity.WARNING, bad(detector.evaluate(kernelRates(0.0, 1.0, 0.0))).severity());
        assertEquals(Severity.CRITICAL, bad(detector.evaluate(kernelRates(0.0, 0.0, 1.0))).severity());
    }

    @Test
    void sendBufferErrorsAreJudgedLikeReceiveBufferErrors() {
        UdpSendBufferErrorDetector detector = new UdpSendBufferErrorDetector(DEFAULTS);

        assertFalse(detector.evaluate(kernelRates(0.9, 0.0, 0.0)).get(0).bad());
        assertEquals(Severity.WARNING, bad(detector.evaluate(kernelRates(1.0, 0.0, 0.0))).severity());
        assertEquals(Severity.CRITICAL, bad(detector.evaluate(kernelRates(10.0, 0.0, 0.0))).severity());
        assertEquals(List.of(), detector.evaluate(kernelRates(null, 0.0, 0.0)), "a kernel without the counter");
    }

    @Test
    void rfsOffIsFoundOnlyWhereRpsIsOn() {
        InterfaceConfigSample config = new InterfaceConfigSample(HEADER, List.of(
                new InterfaceConfig("wg0", 3, InterfaceKind.WIREGUARD, 1420, 1000, "unknown",
                        List.of(new RxQueue("rx-0", "3", 0)), null),
                new InterfaceConfig("tun0", 4, InterfaceKind.TUN, 1400, 1000, "unknown",
                        List.of(new RxQueue("rx-0", "0", 0)), null)));

        Finding f = bad(new RfsOffDetector().evaluate(config, kernel(Map.of(), Map.of(), 32768L)));

        assertEquals("wg0", f.target());
        assertEquals(Severity.INFO, f.severity());
    }

    @Test
    void strictReversePathFilteringOnAForwardingHostWarnsWithTwoUplinks() {
        RpFilterDetector detector = new RpFilterDetector();
        KernelSettingsSample strict = kernel(Map.of("all", 0, "eth0", 1, "lo", 1), Map.of(), null);

        assertEquals(Severity.WARNING, bad(detector.evaluate(strict, true, 2)).severity());
        assertEquals(Severity.INFO, bad(detector.evaluate(strict, true, 1)).severity());
        assertEquals(List.of(), detector.evaluate(strict, false, 2), "not a gateway");
        assertFalse(detector.evaluate(kernel(Map.of("all", 2, "eth0", 1), Map.of(), null), true, 2).get(0).bad(),
                "the kernel takes the larger of all and the interface");
    }

    @Test
    void powersaveWarnsAndOtherSlowGovernorsAreWorthKnowing() {
        CpuGovernorDetector detector = new CpuGovernorDetector();

        assertEquals(Severity.WARNING, bad(detector.evaluate(kernel(Map.of(),
                Map.of("0", "performance", "1", "powersave"), null))).severity());
        assertEquals(Severity.INFO, bad(detector.evaluate(kernel(Map.of(), Map.of("0", "schedutil"), null)))
                .severity());
        assertTrue(detector.evaluate(kernel(Map.of(), Map.of(), null)).isEmpty(), "no cpufreq");
        assertFalse(detector.evaluate(kernel(Map.of(), Map.of("0", "performance"), null)).get(0).bad());
    }
}
