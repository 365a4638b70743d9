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
import java.util.List;
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
            HotspotType.QDISC_DROPS, HotspotType.QDISC_BACKLOG, HotspotType.TXQUEUELEN_ZERO);

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
        DoctorReport report = Doctor.examine(first, second);

        Set<String> doctorHotspots = new TreeSet<>();
        Set<String> doctorChanges = new TreeSet<>();
        Set<String> doctorHostOnly = new TreeSet<>();
        for (DoctorReport.Diagnosis d : report.diagnoses()) {
            if (FLEET_TYPES.contains(d.finding().type())) {
                doctorHotspots.add(key(d.finding()));
                d.changes().forEach(c -> doctorChanges.add(key(c)));
            } else {
                doctorHostOnly.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
            }
        }

        Set<String> fleetHotspots = new TreeSet<>();
        Set<String> fleetRemedies = new TreeSet<>();
        Set<String> fleetSent = new TreeSet<>();
        HostContext context = new HostContext(second.interfaces(), second.kernel(),
                second.interrupts().getOnlineCpus(), second.interrupts(),
                new InterruptRateCalculator().between(first.interrupts(), second.interrupts()),
                DetectionThresholds.defaults());
        try (Harness fleet = new Harness(DetectionThresholds.defaults().withOverrides("openAfter=1"),
                PlannerSettings.defaults().withMaxUnverified(1000))) {
            pipe(fleet, first, 0);
            pipe(fleet, second, SECONDS * 1000);
            for (Hotspot h : fleet.hotspots.readValuesToList()) {
                if (h.getScope() == HotspotScope.HOST) {
                    fleetHotspots.add(h.getType() + "|" + h.getTarget());
                    // what the fleet's proposer makes of the hotspot the topology published, evidence and all
                    Finding published = new Finding(h.getType(), h.getTarget(), true, h.getSeverity(), 0,
                            h.getEvidence(), h.getSummary());
                    Remedies.propose(published, context).forEach(c -> fleetRemedies.add(key(c)));
                }
            }
            List<TuningCommand> commands = new ArrayList<>(fleet.commands.readValuesToList());
            commands.addAll(fleet.proposals.readValuesToList());
            for (TuningCommand c : commands) {
                fleetSent.add(c.getAction() + "|" + c.getTarget() + "|" + c.getExpectedValue() + "->"
                        + c.getNewValue());
            }
        }

        assertTrue(fleetHotspots.size() >= atLeast, name + ": " + fleetHotspots);
        assertEquals(fleetHotspots, doctorHotspots, name + ": the problems found");
        assertEquals(fleetRemedies, doctorChanges, name + ": the changes proposed");
        // the fleet sends one change set per host at a time (its verdict must judge only that change): that first
        // set is one the doctor proposes too
        assertTrue(doctorChanges.containsAll(fleetSent), name + ": sent " + fleetSent + ", doctor " + doctorChanges);
        assertEquals(fleetRemedies.isEmpty(), fleetSent.isEmpty(), name + ": a host with remedies gets a first set");
        assertEquals(hostOnlyByTheRules(first, second), doctorHostOnly, name + ": the doctor-only detectors");
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

        Set<String> doctor = new TreeSet<>();
        DoctorReport report = Doctor.examine(first, second);
        for (DoctorReport.Diagnosis d : report.diagnoses()) {
            if (d.finding().type() == HotspotType.TUNNEL_DOWN) {
                doctor.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
            }
        }
        Set<String> fleet = new TreeSet<>();
        try (Harness harness = new Harness(DetectionThresholds.defaults().withOverrides("openAfter=1"),
                PlannerSettings.defaults().withMaxUnverified(1000))) {
            pipe(harness, first, 0);
            pipe(harness, second, seconds * 1000);
            for (Hotspot h : harness.hotspots.readValuesToList()) {
                if (h.getScope() == HotspotScope.HOST && h.getType() == HotspotType.TUNNEL_DOWN) {
                    fleet.add(h.getType() + "|" + h.getTarget() + " " + h.getSeverity() + " []");
                }
            }
            assertTrue(harness.commands.isEmpty() && harness.proposals.isEmpty(), "no remedy for a tunnel down");
        }
        assertEquals(Set.of("TUNNEL_DOWN|wg0 peer TrMvSoP4 CRITICAL []", "TUNNEL_DOWN|wg0 peer gN65BkIK CRITICAL []"),
                fleet, "the peer sending into an old session and the one whose handshakes are never answered");
        assertEquals(fleet, doctor);
        assertTrue(report.findings().stream().anyMatch(f -> f.check().equals("wireguard")), report.renderText());
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

        Set<String> doctor = new TreeSet<>();
        DoctorReport report = Doctor.examine(first, second);
        for (DoctorReport.Diagnosis d : report.diagnoses()) {
            if (d.finding().type() == HotspotType.PMTU_BLACKHOLE) {
                doctor.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
            }
        }
        Set<String> fleet = new TreeSet<>();
        try (Harness harness = new Harness(DetectionThresholds.defaults().withOverrides("openAfter=1"),
                PlannerSettings.defaults().withMaxUnverified(1000))) {
            pipe(harness, first, 0);
            pipe(harness, second, SECONDS * 1000);
            List<String> sent = new ArrayList<>();
            for (TuningCommand c : harness.commands.readValuesToList()) {
                sent.add(c.getAction() + "|" + c.getTarget() + "|" + c.getExpectedValue() + "->" + c.getNewValue());
            }
            for (Hotspot h : harness.hotspots.readValuesToList()) {
                if (h.getScope() == HotspotScope.HOST && h.getType() == HotspotType.PMTU_BLACKHOLE) {
                    fleet.add(h.getType() + "|" + h.getTarget() + " " + h.getSeverity() + " " + sent);
                }
            }
        }
        assertEquals(Set.of("PMTU_BLACKHOLE|wg0 CRITICAL [MTU|wg0|1420->1320]"), fleet,
                "gw-far's path: 1328 passes, less the 8-byte margin; the reported and the unreachable paths are no hole");
        assertEquals(fleet, doctor);
        assertTrue(report.findings().stream().anyMatch(f -> f.check().equals("pmtu")), report.renderText());
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
        Set<HotspotType> types = EnumSet.of(HotspotType.QDISC_DROPS, HotspotType.QDISC_BACKLOG,
                HotspotType.TXQUEUELEN_ZERO);

        Set<String> doctor = new TreeSet<>();
        for (DoctorReport.Diagnosis d : Doctor.examine(first, second).diagnoses()) {
            if (types.contains(d.finding().type())) {
                doctor.add(key(d.finding()) + " " + d.finding().severity() + " " + keys(d.changes()));
            }
        }
        Set<String> fleet = new TreeSet<>();
        try (Harness harness = new Harness(DetectionThresholds.defaults().withOverrides("openAfter=1"),
                PlannerSettings.defaults().withMaxUnverified(1000))) {
            pipe(harness, first, 0);
            pipe(harness, second, SECONDS * 1000);
            List<String> sent = new ArrayList<>();
            for (TuningCommand c : harness.commands.readValuesToList()) {
                sent.add(c.getAction() + "|" + c.getTarget() + "|" + c.getExpectedValue() + "->" + c.getNewValue());
            }
            for (Hotspot h : harness.hotspots.readValuesToList()) {
                if (h.getScope() == HotspotScope.HOST && types.contains(h.getType())) {
                    fleet.add(h.getType() + "|" + h.getTarget() + " " + h.getSeverity() + " "
                            + (h.getType() == HotspotType.TXQUEUELEN_ZERO ? sent : List.of()));
                }
            }
        }
        assertEquals(Set.of("QDISC_BACKLOG|eth0 CRITICAL []", "QDISC_DROPS|eth0 CRITICAL []",
                "TXQUEUELEN_ZERO|tun0 CRITICAL [TXQUEUELEN|tun0|0->1000]"), fleet);
        assertEquals(fleet, doctor);
    }

    private static QdiscSample qdiscs(HostReading reading, Qdisc... qdiscs) {
        return new QdiscSample(reading.interrupts().getHeader(), new ArrayList<>(List.of(qdiscs)), new ArrayList<>());
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
