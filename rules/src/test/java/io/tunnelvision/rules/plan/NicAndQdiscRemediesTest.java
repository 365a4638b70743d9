package io.tunnelvision.rules.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.catalog.SampleReading;
import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The NIC and root-qdisc remedies of the default policy, read from the NIC and qdisc samples as the catalog says:
 * the ring doubled toward the device's maximum, one channel per CPU within the device's maximum, rx-usecs lowered to
 * the manual's 100 µs, and fq_codel only over a pfifo_fast root. The NICs' settings are those of the agent's real
 * ethtool fixtures (ena-rings, ice-channels, adaptive-off-coalesce) and of a veth as NicCollectorLabIT reads it.
 */
class NicAndQdiscRemediesTest {

    private static final SampleHeader HEADER = new SampleHeader("gw", "boot", 1L, 5000L, "test");

    private static Nic nic(String name, String driver) {
        Nic n = new Nic();
        n.setInterface$(name);
        n.setDriver(driver);
        n.setFeatures(new HashMap<>());
        n.setCounters(new HashMap<>());
        n.setQueues(new ArrayList<>());
        return n;
    }

    /** ena-rings.txt: RX {@code ring} of 16384. */
    private static Nic ena(int ring) {
        Nic n = nic("ens5", "ena");
        n.setRxRing(ring);
        n.setRxRingMax(16384);
        return n;
    }

    private static HostContext host(int cpus, NicSample nics, QdiscSample qdiscs) {
        return new HostContext(null, null, IntStream.range(0, cpus).boxed().toList(), null, null,
                DetectionThresholds.defaults(), nics, qdiscs);
    }

    private static HostContext nics(int cpus, Nic... nics) {
        return host(cpus, new NicSample(HEADER, new ArrayList<>(List.of(nics))), null);
    }

    private static HostContext roots(Qdisc... qdiscs) {
        return host(4, null, new QdiscSample(HEADER, new ArrayList<>(List.of(qdiscs)), new ArrayList<>()));
    }

    private static Finding bad(HotspotType type, String target) {
        return new Finding(type, target, true, Severity.WARNING, 20, Map.of(), "");
    }

    private static Qdisc root(String dev, String kind) {
        return new Qdisc(dev, kind, "1:", null, 0L, 0L, 0L, 0L, 0L, 30_000L, 30L);
    }

    @ParameterizedTest
    @CsvSource({"1024, 2048", "512, 1024", "12000, 16384"})
    void aRingDroppingPacketsIsDoubledUpToTheDevicesMaximum(int ring, int next) {
        assertEquals(List.of(new Change(TuningAction.RX_RING, "ens5", Integer.toString(ring), Integer.toString(next))),
                Remedies.propose(bad(HotspotType.NIC_RX_DROPS, "ens5"), nics(4, ena(ring))));
    }

    @Test
    void aRingAtItsMaximumOrANicTheSampleDoesNotShowGetsNothing() {
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_RX_DROPS, "ens5"), nics(4, ena(16384))));
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_RX_DROPS, "eth9"), nics(4, ena(1024))));
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_RX_DROPS, "ens5"), host(4, null, null)),
                "no NIC sample: no compare-and-set basis");
        Nic veth = nic("veth0", "veth");
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_RX_DROPS, "veth0"), nics(4, veth)),
                "no rings reported");
    }

    @Test
    void aSingleChannelGetsOnePerCpuWithinTheDevicesMaximumCombinedOrRx() {
        // ice reduced to one combined channel of 288 on a host of 8 CPUs
        Nic ice = nic("eth1", "ice");
        ice.setCombinedChannels(1);
        ice.setCombinedChannelsMax(288);
        ice.setRxChannels(0);
        ice.setRxChannelsMax(288);
        assertEquals(List.of(new Change(TuningAction.COMBINED_CHANNELS, "eth1", "1", "8")),
                Remedies.propose(bad(HotspotType.NIC_SINGLE_CHANNEL, "eth1"), nics(8, ice)));
        // veth: Combined n/a, RX 1 of 4, on 16 CPUs: its RX channels, at most 4
        Nic veth = nic("veth0", "veth");
        veth.setRxChannels(1);
        veth.setRxChannelsMax(4);
        assertEquals(List.of(new Change(TuningAction.COMBINED_CHANNELS, "veth0", "1", "4")),
                Remedies.propose(bad(HotspotType.NIC_SINGLE_CHANNEL, "veth0"), nics(16, veth)));
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_SINGLE_CHANNEL, "veth0"), nics(1, veth)),
                "one CPU: one channel is right");
    }

    @Test
    void heavyCoalescingWithAdaptiveOffIsLoweredToTheManualsRxUsecs() {
        Nic off = nic("eth4", "ixgbe");
        off.setRxUsecs(250);
        off.setAdaptiveRx(false);
        assertEquals(List.of(new Change(TuningAction.COALESCE_RX_USECS, "eth4", "250", "100")),
                Remedies.propose(bad(HotspotType.NIC_COALESCING, "eth4"), nics(4, off)));
        Nic adaptive = nic("eth4", "ixgbe");
        adaptive.setRxUsecs(250);
        adaptive.setAdaptiveRx(true);
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.NIC_COALESCING, "eth4"), nics(4, adaptive)),
                "adaptive-rx on: the driver lowers the delay itself");
    }

    @Test
    void aStandingQueueUnderAPfifoFastRootIsAnsweredWithFqCodel() {
        assertEquals(List.of(new Change(TuningAction.ROOT_QDISC, "eth0", "pfifo_fast", "fq_codel")),
                Remedies.propose(bad(HotspotType.QDISC_BACKLOG, "eth0"), roots(root("eth0", "pfifo_fast"))));
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.QDISC_BACKLOG, "eth0"), host(4, null, null)),
                "no qdisc sample: no compare-and-set basis");
    }

    @ParameterizedTest
    @ValueSource(strings = {"htb", "tbf", "hfsc", "mq", "pfifo", "bfifo", "noqueue", "fq_codel", "cake"})
    void noOtherRootIsEverReplaced(String kind) {
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.QDISC_BACKLOG, "eth0"), roots(root("eth0", kind))),
                kind + ": an operator's shaper, a multiqueue root, a FIFO whose limit is unknown, or an AQM already");
    }

    @Test
    void onlyTheRootOfTheTargetIsRead() {
        Qdisc child = new Qdisc("eth0", "pfifo_fast", "10:", "1:1", 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.QDISC_BACKLOG, "eth0"),
                roots(root("eth0", "htb"), child)), "a pfifo_fast child under an htb root is not the root");
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.QDISC_BACKLOG, "eth0"),
                roots(root("eth1", "pfifo_fast"))));
    }

    @Test
    void theDefaultPolicyAnswersTheNicAndBacklogFindingsAndReportsTheOthers() {
        RemediationPolicy policy = RemediationPolicy.defaults();
        assertEquals(List.of(TuningAction.RX_RING), policy.actionsFor(HotspotType.NIC_RX_DROPS));
        assertEquals(List.of(TuningAction.COMBINED_CHANNELS), policy.actionsFor(HotspotType.NIC_SINGLE_CHANNEL));
        assertEquals(List.of(TuningAction.COALESCE_RX_USECS), policy.actionsFor(HotspotType.NIC_COALESCING));
        assertEquals(List.of(TuningAction.ROOT_QDISC), policy.actionsFor(HotspotType.QDISC_BACKLOG));
        assertEquals(List.of(), policy.actionsFor(HotspotType.NIC_IRQ_RATE));
        assertEquals(List.of(), policy.actionsFor(HotspotType.QDISC_DROPS));
    }

    @Test
    void theCatalogReadsEachNicSettingFromTheNicSample() {
        for (TuningAction action : List.of(TuningAction.RX_RING, TuningAction.COMBINED_CHANNELS,
                TuningAction.COALESCE_RX_USECS)) {
            assertTrue(TuningCatalog.entry(action).reading() instanceof SampleReading.NicSetting, action.name());
        }
        assertTrue(TuningCatalog.entry(TuningAction.ROOT_QDISC).reading() instanceof SampleReading.RootQdiscKind);
    }

    @Test
    void whatTheDetectorsFindOnASampleIsWhatTheProposerAnswers() {
        // the fleet and the doctor hand the proposer the detector's finding over the same sample
        Nic ena = ena(1024);
        ena.setRxUsecs(250);
        ena.setAdaptiveRx(false);
        NicSample sample = new NicSample(HEADER, new ArrayList<>(List.of(ena)));
        Finding coalescing = new HostDetectors(DetectionThresholds.defaults()).onNic(null, sample, null, null).stream()
                .filter(f -> f.type() == HotspotType.NIC_COALESCING).findFirst().orElseThrow();
        assertTrue(coalescing.bad());
        List<Change> changes = Remedies.propose(coalescing, host(4, sample, null));
        assertEquals(List.of(new Change(TuningAction.COALESCE_RX_USECS, "ens5", "250",
                Long.toString(Math.round(coalescing.evidence().get("recommendedRxUsecs"))))), changes);
        assertFalse(Remedies.propose(Finding.good(HotspotType.NIC_COALESCING, "ens5", 50, Map.of()),
                host(4, sample, null)).iterator().hasNext());
    }
}
