package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.doctor.Doctor;
import io.tunnelvision.agent.doctor.DoctorReport;
import io.tunnelvision.agent.doctor.HostReader;
import io.tunnelvision.agent.doctor.HostReading;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.HostContext;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.Remedies;
import io.tunnelvision.rules.rates.InterruptRateCalculator;
import io.tunnelvision.rules.rates.KernelRateCalculator;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.streams.topology.Harness;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One set of rules: every fixture host the doctor is tested on, read by the agent's collectors, goes through the
 * doctor and through the fleet's real topology (a TopologyTestDriver, hotspots opening on the first bad interval
 * so that one interval is enough), and both must find the same problems and propose the same changes. The
 * detectors the fleet does not run yet are compared with the rules called directly.
 */
class DoctorParityTest {

    private static final Path FIXTURES = RepoRoot.find().resolve("agent/src/test/resources");
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final long SECONDS = 5;
    /** The types the fleet's per-host stage detects; the others are HostDetectors.hostOnly's. */
    private static final Set<HotspotType> FLEET_TYPES = EnumSet.of(HotspotType.IRQ_CONCENTRATION,
            HotspotType.SOFTIRQ_CONCENTRATION, HotspotType.RPS_OFF, HotspotType.SOFTNET_SQUEEZE,
            HotspotType.BACKLOG_DROPS, HotspotType.TX_DROPS, HotspotType.RX_OVERRUNS, HotspotType.UDP_BUFFER_ERRORS,
            HotspotType.MTU_MISMATCH, HotspotType.PMTU_BLACKHOLE,
            HotspotType.QDISC_DROPS, HotspotType.QDISC_BACKLOG, HotspotType.TXQUEUELEN_ZERO,
            HotspotType.NIC_RX_DROPS, HotspotType.NIC_SINGLE_CHANNEL, HotspotType.NIC_COALESCING,
            HotspotType.NIC_IRQ_RATE);
    private static final Set<HotspotType> NIC_TYPES = EnumSet.of(HotspotType.NIC_RX_DROPS,
            HotspotType.NIC_SINGLE_CHANNEL, HotspotType.NIC_COALESCING, HotspotType.NIC_IRQ_RATE);

    static Stream<Arguments> fixtures() {
        List<Arguments> cases = new ArrayList<>();
        // how many fleet hotspots each must have at least, so that agreeing on nothing cannot pass for parity
        for (Object[] pair : new Object[][] {{"sick-gateway", 5}, {"healthy-gateway", 0}, {"offline-cpus", 0}}) {
            Path dir = FIXTURES.resolve("doctor").resolve((String) pair[0]);
            cases.add(Arguments.of("doctor/" + pair[0], dir.resolve("before"), dir.resolve("after"), pair[1]));
        }
        // single trees read twice: configuration findings only, every rate zero
        for (String tree : List.of("live-host", "live-netns", "trees/gateway-x86")) {
            Path dir = FIXTURES.resolve("fixtures").resolve(tree);
            cases.add(Arguments.of("fixtures/" + tree, dir, dir, 0));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theDoctorFindsAndProposesWhatTheFleetWould(String name, Path before, Path after, int atLeast) {
        HostReading first = read(before, 0, 0);
        HostReading second = read(after, SECONDS, 1);
        Judged judged = judge(first, second, SECONDS * 1000, FLEET_TYPES);

        Set<String> doctorHostOnly = new TreeSet<>();
        for (DoctorReport.Diagnosis d : judged.report().diagnoses()) {
            if (!FLEET_TYPES.contains(d.finding().type())) {
                doctorHostOnly.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
            }
        }
        assertTrue(judged.fleet().size() >= atLeast, name + ": " + judged.fleet());
        judged.assertAgree(name);
        assertEquals(hostOnlyByTheRules(first, second), doctorHostOnly, name + ": the doctor-only detectors");
        DoctorReport report = judged.report();
        assertEquals(report.diagnoses().size(), report.findings().size(), name + ": one explanation per finding");
        assertTrue(report.findings().stream().noneMatch(f -> f.subject().equals("doctor")), report.renderText());
    }

    /**
     * WireGuard peers (no fixture tree has them: the agent's collector runs `wg`, not a file) added to a healthy
     * fixture host's two readings, 10 s apart: the fleet holds a host's WireGuard baseline for tunnelTrafficWindow
     * (10 s), so a shorter pair gives the fleet no interval at all.
     */
    @Test
    void theDoctorFindsTheTunnelsDownThatTheFleetWould() {
        Path dir = FIXTURES.resolve("doctor").resolve("healthy-gateway");
        long seconds = DetectionThresholds.defaults().tunnelTrafficWindow().toSeconds();
        long t0 = T0.toEpochMilli();
        long t1 = t0 + seconds * 1000;
        String down = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
        String never = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=";
        String idle = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
        String up = "q0VW5hHs3Wa8dWQGbSMxBmVSFjUjVGaTaFBtIJ1mRlo=";
        HostReading first = read(dir.resolve("before"), 0, 0);
        first = first.withWireguard(wireguard(first, 0,
                new WireguardPeer(down, "192.0.2.2:51820", 2, t0 - 300_000L, 9_000L, 20_000L, null),
                new WireguardPeer(never, null, 1, null, 0L, 148L, null),
                new WireguardPeer(idle, "192.0.2.4:51820", 1, t0 - 900_000L, 5_000L, 6_000L, null),
                new WireguardPeer(up, "192.0.2.5:51820", 1, t0 - 20_000L, 70_000L, 80_000L, 25)));
        HostReading second = read(dir.resolve("after"), seconds, 1);
        second = second.withWireguard(wireguard(second, 1,
                new WireguardPeer(down, "192.0.2.2:51820", 2, t0 - 300_000L, 9_000L, 20_296L, null),
                new WireguardPeer(never, null, 1, null, 0L, 444L, null),
                new WireguardPeer(idle, "192.0.2.4:51820", 1, t0 - 900_000L, 5_000L, 6_000L, null),
                new WireguardPeer(up, "192.0.2.5:51820", 1, t1 - 5_000L, 90_000L, 99_000L, 25)));

        Judged judged = judge(first, second, seconds * 1000, EnumSet.of(HotspotType.TUNNEL_DOWN));
        assertEquals(Set.of("TUNNEL_DOWN|wg0 peer TrMvSoP4 CRITICAL []", "TUNNEL_DOWN|wg0 peer gN65BkIK CRITICAL []"),
                judged.fleet(), "the peer sending into an old session and the one whose handshakes are never answered");
        judged.assertAgree("wireguard");
        assertTrue(judged.sent().isEmpty(), "no remedy for a tunnel down: " + judged.sent());
        assertTrue(judged.report().findings().stream().anyMatch(f -> f.check().equals("wireguard")),
                judged.report().renderText());
    }

    /**
     * Path-MTU probes (no fixture tree has them: the agent's prober pings, it reads no file) added to a healthy
     * fixture host whose wg0 has MTU 1420: one peer's path swallows what the MTU allows and no ICMP reports it,
     * another's router reports its MTU, a third is unreachable. Both must find wg0's black hole and propose the same
     * MTU, compared and set on the 1420 the host reports.
     */
    @Test
    void theDoctorFindsThePathMtuBlackHolesThatTheFleetWouldAndProposesTheSameMtu() {
        Path dir = FIXTURES.resolve("doctor").resolve("healthy-gateway");
        HostReading first = read(dir.resolve("before"), 0, 0);
        HostReading second = read(dir.resolve("after"), SECONDS, 1);
        second = second.withPmtu(new PmtuSample(second.interrupts().getHeader(), List.of(
                new PmtuPath("gw-far", "wg0", "10.9.0.2:0", 1420, List.of(new PmtuStep(1328, 1, 1),
                        new PmtuStep(1329, 2, 0)), 1328, 1329, null),
                new PmtuPath("gw-reported", "wg0", "10.9.0.3:0", 1420, List.of(new PmtuStep(1400, 2, 0)), 1380, 1400,
                        1380),
                new PmtuPath("gw-gone", "wg0", "10.9.0.4:0", 1420, List.of(new PmtuStep(576, 2, 0)), null, 576,
                        null))));

        Judged judged = judge(first, second, SECONDS * 1000, EnumSet.of(HotspotType.PMTU_BLACKHOLE));
        assertEquals(Set.of("PMTU_BLACKHOLE|wg0 CRITICAL [MTU|wg0|1420->1320]"), judged.fleet(),
                "gw-far's path: 1328 passes, less the 8-byte margin; the reported and the unreachable paths are no hole");
        judged.assertAgree("pmtu");
        assertEquals(Set.of("MTU|wg0|1420->1320"), judged.sent());
        assertTrue(judged.report().findings().stream().anyMatch(f -> f.check().equals("pmtu")),
                judged.report().renderText());
    }

    private static WireguardSample wireguard(HostReading reading, long sequence, WireguardPeer... peers) {
        SampleHeader h = reading.interrupts().getHeader();
        return new WireguardSample(new SampleHeader(h.getHostId(), h.getBootId(), sequence, h.getSampleTimeMs(),
                h.getAgentVersion()), List.of(new WireguardInterface("wg0",
                "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", 51820, List.of(peers))));
    }

    /**
     * Egress queues (no fixture tree has qdisc statistics: the agent's collector runs `tc`, not a file) added to a
     * healthy fixture host's two readings with its tun0 set to txqueuelen 0: eth0, vxlan0's underlay, is shaped by
     * a tbf that drops and holds a standing queue. The doctor and the fleet find the same three problems and
     * propose the same txqueuelen step.
     */
    @Test
    void theDoctorFindsTheQueueProblemsThatTheFleetWould() {
        Path dir = FIXTURES.resolve("doctor").resolve("healthy-gateway");
        HostReading first = read(dir.resolve("before"), 0, 0);
        HostReading second = read(dir.resolve("after"), SECONDS, 1);
        for (HostReading r : List.of(first, second)) {
            r.interfaces().getInterfaces().stream().filter(i -> i.getName().equals("tun0"))
                    .forEach(i -> i.setTxQueueLen(0));
        }
        // 5 s: 625,000 bytes sent (125,000 B/s), 10,000 dropped, 30 KB still queued (240 ms)
        first = first.withQdisc(qdiscs(first, new Qdisc("eth0", "tbf", "1:", null, 0L, 0L, 0L, 0L, 0L, 30_000L, 30L),
                new Qdisc("tun0", "pfifo_fast", "0:", null, 0L, 0L, 0L, 0L, 0L, 0L, 0L)));
        second = second.withQdisc(qdiscs(second,
                new Qdisc("eth0", "tbf", "1:", null, 625_000L, 625L, 10_000L, 0L, 0L, 30_000L, 30L),
                new Qdisc("tun0", "pfifo_fast", "0:", null, 0L, 0L, 0L, 0L, 0L, 0L, 0L)));
        Judged judged = judge(first, second, SECONDS * 1000, EnumSet.of(HotspotType.QDISC_DROPS,
                HotspotType.QDISC_BACKLOG, HotspotType.TXQUEUELEN_ZERO));
        assertEquals(Set.of("QDISC_BACKLOG|eth0 CRITICAL []", "QDISC_DROPS|eth0 CRITICAL []",
                "TXQUEUELEN_ZERO|tun0 CRITICAL [TXQUEUELEN|tun0|0->1000]"), judged.fleet());
        judged.assertAgree("qdisc");
        assertEquals(Set.of("TXQUEUELEN|tun0|0->1000"), judged.sent());
    }

    /**
     * NICs (no fixture tree has them: the agent's collector runs ethtool, not a file) added to a healthy fixture
     * host's two readings, 5 s apart: an ixgbe port whose RX ring is at 512 of 4096 misses 300 packets/s and holds
     * its interrupts 250 µs with adaptive-rx off (the settings of the agent's ethtool fixtures), and a veth with 1
     * of 4 RX channels (Combined n/a, as ethtool -l shows it on 6.18). The doctor and the fleet find the same NIC
     * problems and propose the same changes, compared and set on the values the NIC sample shows.
     */
    @Test
    void theDoctorFindsTheNicProblemsThatTheFleetWould() {
        Path dir = FIXTURES.resolve("doctor").resolve("healthy-gateway");
        HostReading first = read(dir.resolve("before"), 0, 0);
        HostReading second = read(dir.resolve("after"), SECONDS, 1);
        first = first.withNic(nics(first, ixgbe("eth0", 512, 10_000L), veth("veth0", 1)));
        second = second.withNic(nics(second, ixgbe("eth0", 512, 11_500L), veth("veth0", 1)));

        Judged judged = judge(first, second, SECONDS * 1000, NIC_TYPES);
        assertEquals(Set.of("NIC_COALESCING|eth0 WARNING [COALESCE_RX_USECS|eth0|250->100]",
                "NIC_RX_DROPS|eth0 CRITICAL [RX_RING|eth0|512->1024]",
                "NIC_SINGLE_CHANNEL|veth0 WARNING [COMBINED_CHANNELS|veth0|1->4]"), judged.fleet(),
                "the ring doubled, rx-usecs down to the manual's 100, one RX channel per CPU of the 4");
        judged.assertAgree("nic");
        assertEquals(1, judged.sent().size(), "one change set per host at a time: " + judged.sent());
        assertTrue(judged.report().findings().stream().anyMatch(f -> f.check().equals("nic")),
                judged.report().renderText());
    }

    /** An ixgbe port as the agent's ethtool fixtures show one, RX ring {@code ring} of 4096, rx-usecs 250, adaptive off. */
    private static Nic ixgbe(String name, int ring, long missed) {
        Nic n = nic(name, "ixgbe");
        n.setRxRing(ring);
        n.setRxRingMax(4096);
        n.setRxUsecs(250);
        n.setAdaptiveRx(false);
        n.setCounters(new HashMap<>(Map.of("rx_missed", missed, "rx_no_buffer", 0L)));
        return n;
    }

    private static Nic veth(String name, int rxChannels) {
        Nic n = nic(name, "veth");
        n.setRxChannels(rxChannels);
        n.setRxChannelsMax(4);
        return n;
    }

    private static Nic nic(String name, String driver) {
        Nic n = new Nic();
        n.setInterface$(name);
        n.setDriver(driver);
        n.setFeatures(new HashMap<>());
        n.setCounters(new HashMap<>());
        n.setQueues(new ArrayList<>());
        return n;
    }

    private static NicSample nics(HostReading reading, Nic... nics) {
        return new NicSample(reading.interrupts().getHeader(), new ArrayList<>(List.of(nics)));
    }

    /**
     * The root qdisc switch: a standing queue under eth0's pfifo_fast is answered with fq_codel by both, the one
     * under tun0's htb (an operator's shaper, which no rollback could rebuild) by neither.
     */
    @Test
    void theDoctorProposesTheRootQdiscSwitchThatTheFleetWouldOnlyOverPfifoFast() {
        Path dir = FIXTURES.resolve("doctor").resolve("healthy-gateway");
        HostReading first = read(dir.resolve("before"), 0, 0);
        HostReading second = read(dir.resolve("after"), SECONDS, 1);
        // 5 s: 625,000 bytes sent (125,000 B/s) with 30 KB queued at both ends (240 ms), nothing dropped
        first = first.withQdisc(qdiscs(first, new Qdisc("eth0", "pfifo_fast", "0:", null, 0L, 0L, 0L, 0L, 0L,
                30_000L, 30L), new Qdisc("tun0", "htb", "1:", null, 0L, 0L, 0L, 0L, 0L, 30_000L, 30L)));
        second = second.withQdisc(qdiscs(second, new Qdisc("eth0", "pfifo_fast", "0:", null, 625_000L, 625L, 0L, 0L,
                0L, 30_000L, 30L), new Qdisc("tun0", "htb", "1:", null, 625_000L, 625L, 0L, 0L, 0L, 30_000L, 30L)));

        Judged judged = judge(first, second, SECONDS * 1000, EnumSet.of(HotspotType.QDISC_BACKLOG,
                HotspotType.QDISC_DROPS));
        assertEquals(Set.of("QDISC_BACKLOG|eth0 CRITICAL [ROOT_QDISC|eth0|pfifo_fast->fq_codel]",
                "QDISC_BACKLOG|tun0 CRITICAL []"), judged.fleet());
        judged.assertAgree("root qdisc");
        assertEquals(Set.of("ROOT_QDISC|eth0|pfifo_fast->fq_codel"), judged.sent());
    }

    private static QdiscSample qdiscs(HostReading reading, Qdisc... qdiscs) {
        return new QdiscSample(reading.interrupts().getHeader(), new ArrayList<>(List.of(qdiscs)), new ArrayList<>());
    }

    /**
     * What the doctor and the fleet make of the same two readings, for the hotspot types asked, each finding as
     * "TYPE|target SEVERITY [changes]".
     *
     * @param doctor the doctor's diagnoses with the changes it proposes ({@code Remedies.propose})
     * @param fleet  the hotspots the fleet's topology published, with what the rules' proposer makes of each as
     *               published (evidence and all) over what the readings say of the host
     * @param sent   the commands and proposals the fleet sent: one change set per host at a time (its verdict must
     *               judge only that change), so the first set, which must be one the doctor proposes too
     */
    private record Judged(Set<String> doctor, Set<String> fleet, Set<String> doctorChanges, Set<String> sent,
                          DoctorReport report) {

        void assertAgree(String name) {
            assertEquals(fleet, doctor, name + ": the problems found and the changes proposed");
            assertTrue(doctorChanges.containsAll(sent), name + ": sent " + sent + ", doctor " + doctorChanges);
            assertEquals(doctorChanges.isEmpty(), sent.isEmpty(), name + ": a host with remedies gets a first set");
        }
    }

    private static Judged judge(HostReading first, HostReading second, long secondAtMs, Set<HotspotType> types) {
        DoctorReport report = Doctor.examine(first, second);
        Set<String> doctor = new TreeSet<>();
        Set<String> doctorChanges = new TreeSet<>();
        for (DoctorReport.Diagnosis d : report.diagnoses()) {
            if (types.contains(d.finding().type())) {
                doctor.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
                d.changes().forEach(c -> doctorChanges.add(key(c)));
            }
        }
        HostContext context = new HostContext(second.interfaces(), second.kernel(),
                second.interrupts().getOnlineCpus(), second.interrupts(),
                new InterruptRateCalculator().between(first.interrupts(), second.interrupts()),
                DetectionThresholds.defaults(), second.nic(), second.qdisc());
        Set<String> fleet = new TreeSet<>();
        Set<String> sent = new TreeSet<>();
        try (Harness harness = new Harness(DetectionThresholds.defaults().withOverrides("openAfter=1"),
                PlannerSettings.defaults().withMaxUnverified(1000))) {
            pipe(harness, first, 0);
            pipe(harness, second, secondAtMs);
            for (Hotspot h : harness.hotspots.readValuesToList()) {
                if (h.getScope() == HotspotScope.HOST && types.contains(h.getType())) {
                    Finding published = new Finding(h.getType(), h.getTarget(), true, h.getSeverity(), 0,
                            h.getEvidence(), h.getSummary());
                    fleet.add(key(published) + " " + h.getSeverity() + " " + keys(Remedies.propose(published, context)));
                }
            }
            List<TuningCommand> commands = new ArrayList<>(harness.commands.readValuesToList());
            commands.addAll(harness.proposals.readValuesToList());
            for (TuningCommand c : commands) {
                sent.add(c.getAction() + "|" + c.getTarget() + "|" + c.getExpectedValue() + "->" + c.getNewValue());
            }
        }
        return new Judged(doctor, fleet, doctorChanges, sent, report);
    }

    /** The detectors the fleet does not run yet, called directly over the rules' own rates. */
    private static Set<String> hostOnlyByTheRules(HostReading first, HostReading second) {
        InterruptRates interrupts = new InterruptRateCalculator().between(first.interrupts(), second.interrupts());
        KernelRates kernel = new KernelRateCalculator().between(first.kernel(), second.kernel());
        long uplinks = second.facts().defaultRoutes().stream().filter(r -> !r.ipv6()).map(r -> r.iface()).distinct()
                .count();
        HostContext context = new HostContext(second.interfaces(), second.kernel(),
                second.interrupts().getOnlineCpus());
        Set<String> found = new TreeSet<>();
        for (Finding f : new HostDetectors(DetectionThresholds.defaults()).hostOnly(interrupts, kernel,
                second.interfaces(), second.kernel(), Boolean.TRUE.equals(second.facts().ipForwarding()),
                (int) uplinks)) {
            if (f.bad()) {
                found.add(key(f) + " " + f.severity() + " " + keys(Remedies.propose(f, context)));
            }
        }
        return found;
    }

    private static HostReading read(Path tree, long seconds, long sequence) {
        HostReading r = new HostReader(tree.resolve("proc"), tree.resolve("sys"), Clock.systemUTC())
                .read(T0.plusSeconds(seconds));
        // two trees are read by two readers, each starting at sequence 0; the fleet would take the second for an
        // agent restart and take no rate, so the second reading gets the next sequence as one agent's would
        for (SampleHeader h : List.of(r.interrupts().getHeader(), r.softnet().getHeader(), r.links().getHeader(),
                r.interfaces().getHeader(), r.kernel().getHeader())) {
            h.setSequence(sequence);
        }
        if (r.qdisc() != null) {
            r.qdisc().getHeader().setSequence(sequence);
        }
        if (r.nic() != null) {
            r.nic().getHeader().setSequence(sequence);
        }
        return r;
    }

    /** A reading as one agent publishes it; configuration and kernel settings first, so the rates see them. */
    private static void pipe(Harness fleet, HostReading r, long timeMs) {
        String host = r.interrupts().getHeader().getHostId();
        fleet.pipe(host, r.interfaces(), timeMs);
        fleet.pipe(host, r.kernel(), timeMs);
        fleet.pipe(host, r.interrupts(), timeMs);
        fleet.pipe(host, r.softnet(), timeMs);
        fleet.pipe(host, r.links(), timeMs);
        if (r.wireguard() != null) {
            fleet.pipe(host, r.wireguard(), timeMs);
        }
        if (r.pmtu() != null) {
            fleet.pipe(host, r.pmtu(), timeMs);
        }
        if (r.qdisc() != null) {
            fleet.pipe(host, r.qdisc(), timeMs);
        }
        if (r.nic() != null) {
            fleet.pipe(host, r.nic(), timeMs);
        }
    }

    private static String key(Finding f) {
        return f.type() + "|" + f.target();
    }

    private static String key(Change c) {
        return c.action() + "|" + c.target() + "|" + c.expectedValue() + "->" + c.newValue();
    }

    private static String keys(List<Change> changes) {
        List<String> keys = new ArrayList<>();
        changes.forEach(c -> keys.add(key(c)));
        return keys.toString();
    }
}
