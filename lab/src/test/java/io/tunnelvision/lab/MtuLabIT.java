package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.lab.LabNetwork.Gateway;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The issue's scenario on real kernel interfaces: two gateways (network namespaces) joined by a veth underlay,
 * a tunnel between them whose MTU is too big for it (1500 over 1500), each running the real agent (collect,
 * probe, apply) as its own process inside its namespace, with the shared broker and the streams app in this JVM.
 * Large probes fragment; the streams app opens an MTU-mismatch hotspot with the probes' evidence; a signed
 * command sets the tunnel's right MTU; the agent applies it in its namespace; fragmentation stops; the change is
 * verified and the hotspot closes. Every step is asserted, for both gateways, and the same for each tunnel
 * ({@link LabTunnel}): VXLAN (underlay from sysfs), WireGuard and OpenVPN (underlay from the route to the peer).
 */
class MtuLabIT {

    private static final Duration STEP = Duration.ofSeconds(45);
    private static final int PROBE_PORT = 7784;

    private final Topics topics;
    private final Path runDir;

    MtuLabIT() throws Exception {
        topics = Topics.inNamespace("lab-" + Long.toHexString(System.nanoTime()));
        runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath()).resolve(topics.namespace());
        Files.createDirectories(runDir);
    }

    @Test
    void aVxlanMtuTooBigForItsUnderlayIsFoundFixedAndVerifiedEndToEnd() throws Exception {
        foundFixedAndVerified(new VxlanTunnel());
    }

    @Test
    void aWireGuardMtuTooBigForItsUnderlayIsFoundFixedAndVerifiedEndToEnd() throws Exception {
        foundFixedAndVerified(new WireGuardTunnel());
    }

    @Test
    void anOpenVpnMtuTooBigForItsUnderlayIsFoundFixedAndVerifiedEndToEnd() throws Exception {
        foundFixedAndVerified(new OpenVpnTunnel());
    }

    private void foundFixedAndVerified(LabTunnel tunnel) throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        tunnel.requireTools();
        List<String> stale = LabNetwork.removeStale();
        if (!stale.isEmpty()) {
            System.out.println("removed stale lab namespaces " + stale);
        }
        String bootstrap = SharedKafka.get().bootstrapServers();
        assertFalse(bootstrap.contains(","), "the lab relays one broker address, not " + bootstrap);
        int brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        String brokerHost = bootstrap.substring(0, bootstrap.lastIndexOf(':'));

        try (Cleanup cleanup = new Cleanup()) {
            LabNetwork net = cleanup.add(new LabNetwork());
            net.create();
            LabProcesses processes = cleanup.add(new LabProcesses());
            tunnel.create(net, processes, runDir);
            BrokerRelay relay = cleanup.add(new BrokerRelay(runDir.resolve("broker.sock"),
                    new InetSocketAddress(brokerHost, brokerPort)));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                new TopicCreator(admin).ensure(topics.all());
            }
            Path keys = Files.createDirectories(runDir.resolve("keys"));
            Ed25519Keys.KeyFiles key = Ed25519Keys.write(Ed25519Keys.generate(), keys, "planner");
            TopicWatch watch = cleanup.add(new TopicWatch(bootstrap, List.of(topics.hotspots, topics.commands,
                    topics.commandResults, topics.commandOutcomes, topics.latencySamples)));

            try {
                for (Gateway g : List.of(net.a, net.b)) {
                    Gateway peer = g == net.a ? net.b : net.a;
                    Path log = runDir.resolve(g.hostId() + "-relay.log");
                    Process p = processes.start(g.ns(), NamespaceRelay.class.getName(),
                            List.of(Integer.toString(brokerPort), relay.socket().toString()), Map.of(), log, "24m");
                    LabProcesses.awaitLine(p, log, "ready", 30_000);
                    startAgent(processes, g, peer, tunnel.device(net, g), bootstrap, key);
                }

                Map<String, LatencyFigures> before = new HashMap<>();
                Map<String, LatencyFigures> after = new HashMap<>();
                List<String> report = new ArrayList<>();
                long agentsUp = System.nanoTime();
                for (Gateway g : List.of(net.a, net.b)) {
                    before.put(g.hostId(), largeProbesFragment(watch, g, tunnel.device(net, g)));
                }
                // the streams app is switched on once the broken state is on record (see startStreams)
                awaitRunning(cleanup.add(startStreams(bootstrap, key)));
                long streamsUpMs = System.currentTimeMillis();
                for (Gateway g : List.of(net.a, net.b)) {
                    after.put(g.hostId(), fixedAndVerified(watch, g, net.peer(g), tunnel, tunnel.device(net, g),
                            key.keyId(), before.get(g.hostId()), streamsUpMs, report));
                }
                for (Gateway g : List.of(net.a, net.b)) {
                    report.add(g.hostId() + " before (MTU 1500): " + before.get(g.hostId()).describe());
                    report.add(g.hostId() + " after  (MTU " + tunnel.rightMtu() + "): "
                            + after.get(g.hostId()).describe());
                }
                report.add(String.format(Locale.ROOT, "%s: set up to agents probing %.1f s, whole scenario %.1f s",
                        tunnel.label(), (agentsUp - t0) / 1e9, (System.nanoTime() - t0) / 1e9));
                String text = String.join("\n", report) + "\n";
                Files.writeString(runDir.resolve("latency.txt"), text, StandardCharsets.UTF_8);
                System.out.print(text);
            } finally {
                dumpLatency(watch);
            }
        }
        assertTrue(Shell.run(List.of("ip", "netns", "list")).lines().noneMatch(l -> l.startsWith(
                LabNetwork.OWN_PREFIX)), "the lab's namespaces are gone after the test");
    }

    /** Every latency sample seen, one line per series, next to the agents' logs: what to read when a step fails. */
    private void dumpLatency(TopicWatch watch) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (LatencySample s : watch.all(topics.latencySamples)) {
            for (ProbeStats p : s.getPeers().stream().flatMap(x -> x.getProbes().stream()).toList()) {
                out.append(String.format(Locale.ROOT, "%d %s %s %d sent=%d recv=%d avg=%s max=%s%n",
                        s.getHeader().getSampleTimeMs(), s.getHeader().getHostId(), p.getPath(), p.getSizeBytes(),
                        p.getSent(), p.getReceived(), p.getRttAvgUs(), p.getRttMaxUs()));
            }
        }
        Files.writeString(runDir.resolve("latency-samples.txt"), out, StandardCharsets.UTF_8);
    }

    /** Step 1: with MTU 1500 over 1500 the tunnel-MTU probes fragment; the probes and the kernel show it. */
    private LatencyFigures largeProbesFragment(TopicWatch watch, Gateway g, String dev) throws Exception {
        assertEquals(LabNetwork.BAD_MTU, LabNetwork.mtu(g, dev));
        watch.await(topics.latencySamples, s -> from(s, g) && overlayLarge(s).filter(p -> p.getReceived() > 0)
                .isPresent(), STEP, "latency sample of " + g.hostId() + " with answered large overlay probes");
        Map<String, Long> c0 = LabNetwork.counters(g, dev);
        Thread.sleep(3_000);
        Map<String, Long> c1 = LabNetwork.counters(g, dev);
        long fragCreates = c1.get("FragCreates") - c0.get("FragCreates");
        long reasmReqds = c1.get("ReasmReqds") - c0.get("ReasmReqds");
        long underlayFrames = c1.get("u0.tx_packets") - c0.get("u0.tx_packets");
        long tunnelPackets = c1.get("tunnel.tx_packets") - c0.get("tunnel.tx_packets");
        System.out.printf(Locale.ROOT, "%s at MTU 1500 over 3 s: FragCreates +%d, ReasmReqds +%d, %s tx +%d,"
                + " u0 tx +%d%n", g.hostId(), fragCreates, reasmReqds, dev, tunnelPackets, underlayFrames);
        assertTrue(fragCreates > 0, g.hostId() + ": probes through a 1500 tunnel over a 1500 link must fragment");
        assertTrue(reasmReqds > 0, g.hostId() + ": the peer's fragmented replies must need reassembly");
        // every fragmented tunnel packet leaves as two frames: the underlay carries more than the tunnel sends
        assertTrue(underlayFrames >= tunnelPackets + fragCreates / 2, "underlay frames " + underlayFrames
                + " for " + tunnelPackets + " tunnel packets and " + fragCreates + " fragments");
        return LatencyFigures.of(samplesOf(watch, g, LabNetwork.BAD_MTU - 28));
    }

    /** Steps 2 to 6: hotspot with evidence, signed command, applied in the namespace, normal again, verified, closed. */
    private LatencyFigures fixedAndVerified(TopicWatch watch, Gateway g, Gateway peer, LabTunnel tunnel, String dev,
                                            String keyId, LatencyFigures before, long streamsUpMs, List<String> report)
            throws Exception {
        int right = tunnel.rightMtu();
        Hotspot open = watch.await(topics.hotspots, h -> g.hostId().equals(h.getHostId())
                        && h.getType() == HotspotType.MTU_MISMATCH && h.getState() == HotspotState.OPEN, STEP,
                "open MTU_MISMATCH hotspot on " + g.hostId());
        assertEquals(dev, open.getTarget());
        Map<String, Double> evidence = open.getEvidence();
        assertEquals(1500.0, evidence.get("mtu"));
        assertEquals(1500.0, evidence.get("underlayMtu"));
        assertEquals(right, evidence.get("recommendedMtu"), tunnel.overheadReason() + ": " + evidence);
        assertTrue(evidence.get("fragmentsPerSec") >= 1, "fragments are the confirmation: " + evidence);
        assertNotNull(evidence.get("largeProbeLoss"), "latency evidence: " + evidence);
        assertNotNull(evidence.get("overlayRttUs"), "latency evidence: " + evidence);
        assertNotNull(evidence.get("underlayRttUs"), "latency evidence: " + evidence);

        TuningCommand command = watch.await(topics.commands, c -> g.hostId().equals(c.getHostId())
                        && open.getHotspotId().equals(c.getHotspotId()) && c.getRollbackOf() == null, STEP,
                "command for hotspot " + open.getHotspotId());
        assertEquals(TuningAction.MTU, command.getAction());
        assertEquals(dev, command.getTarget());
        assertEquals("1500", command.getExpectedValue());
        assertEquals(Integer.toString(right), command.getNewValue());
        assertEquals(keyId, command.getKeyId(), "signed with the planner key the agents trust");
        assertTrue(command.getSignature().remaining() > 0);
        assertFalse(command.getDryRun());

        CommandResult result = watch.await(topics.commandResults, r -> r.getCommandId().equals(command.getCommandId()),
                STEP, "result of " + command.getCommandId());
        assertEquals(CommandStatus.APPLIED, result.getStatus(), "agent's answer: " + result);
        assertEquals("1500", result.getValueBefore());
        assertEquals(Integer.toString(right), result.getValueAfter());
        assertEquals(right, LabNetwork.mtu(g, dev), "ip link in " + g.ns() + " reads it back");

        // normal again: the tunnel-MTU probes are now MTU - 28 bytes, get through whole and fragment nothing. The
        // peer's probes too: until its agent has its own fix, this gateway answers its 1472-byte probes through a
        // tunnel now too small for them, and fragments the replies (seen as FragCreates +2 in a run that looked
        // only at this gateway's probes)
        for (Gateway h : List.of(g, peer)) {
            watch.await(topics.latencySamples, s -> from(s, h) && overlayLarge(s).filter(p -> p.getSizeBytes()
                    == right - 28 && p.getReceived() > 0).isPresent(), STEP,
                    "latency sample of " + h.hostId() + " with " + (right - 28) + "-byte probes");
        }
        Map<String, Long> c0 = LabNetwork.counters(g, dev);
        Thread.sleep(3_000);
        Map<String, Long> c1 = LabNetwork.counters(g, dev);
        assertEquals(0, c1.get("FragCreates") - c0.get("FragCreates"), g.hostId() + " still fragments");
        assertEquals(0, c1.get("ReasmReqds") - c0.get("ReasmReqds"), g.hostId() + " still reassembles");

        CommandOutcome outcome = watch.await(topics.commandOutcomes,
                o -> o.getCommandId().equals(command.getCommandId()), STEP, "verdict on " + command.getCommandId());
        assertEquals(Verdict.VERIFIED, outcome.getOutcome(), "verdict: " + outcome);
        assertTrue(outcome.getAfter() < outcome.getBefore(), outcome.toString());

        Hotspot closed = watch.await(topics.hotspots, h -> open.getHotspotId().equals(h.getHotspotId())
                && h.getState() == HotspotState.CLOSED, STEP, "closing of " + open.getHotspotId());
        assertNotNull(closed.getClosedAtMs());
        // the records' own times (the agents' sample times, this machine's clock): the hotspot's openedAt is the
        // start of its first bad interval, which may straddle the moment the streams app was running (negative)
        report.add(String.format(Locale.ROOT, "%s %s: first bad interval at %+.1f s from the streams app running, "
                        + "hotspot closed (fixed and verified) %.1f s after it, set %d -> %d", tunnel.label(),
                g.hostId(), (open.getOpenedAtMs() - streamsUpMs) / 1e3,
                (closed.getClosedAtMs() - open.getOpenedAtMs()) / 1e3, LabNetwork.BAD_MTU, right));

        LatencyFigures fixed = LatencyFigures.of(samplesOf(watch, g, right - 28));
        assertTrue(fixed.overlayLargeLoss() <= before.overlayLargeLoss(), "large-probe loss got worse: "
                + before.describe() + " -> " + fixed.describe());
        return fixed;
    }

    /** The gateway's samples with this large size, while the peer was up (its underlay answered at all). */
    private List<LatencySample> samplesOf(TopicWatch watch, Gateway g, int largeSize) {
        return watch.all(topics.latencySamples).stream().filter(s -> from(s, g))
                .filter(s -> overlayLarge(s).filter(p -> p.getSizeBytes() == largeSize).isPresent())
                .filter(s -> s.getPeers().stream().flatMap(p -> p.getProbes().stream())
                        .anyMatch(p -> p.getPath() == ProbePath.UNDERLAY && p.getReceived() > 0))
                .toList();
    }

    private static boolean from(LatencySample s, Gateway g) {
        return s.getHeader().getHostId().equals(g.hostId());
    }

    private static java.util.Optional<ProbeStats> overlayLarge(LatencySample s) {
        return s.getPeers().stream().flatMap(p -> p.getProbes().stream())
                .filter(p -> p.getPath() == ProbePath.OVERLAY && p.getSizeBytes() > 64)
                .findFirst();
    }

    private KafkaStreams startStreams(String bootstrap, Ed25519Keys.KeyFiles key) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap);
        env.put("TUNNELVISION_TOPIC_NAMESPACE", topics.namespace());
        env.put("TUNNELVISION_STREAMS_APPLICATION_ID", topics.namespace() + "-streams");
        env.put("TUNNELVISION_STREAMS_STATE_DIR", Files.createDirectories(runDir.resolve("streams")).toString());
        env.put("TUNNELVISION_STREAMS_PLANNER_MODE", "auto");
        env.put("TUNNELVISION_STREAMS_COMMIT_INTERVAL", "100ms");
        env.put("TUNNELVISION_STREAMS_SIGNING_KEY_FILE", key.privateKey().toString());
        env.put("TUNNELVISION_STREAMS_POLICY", "MTU_MISMATCH=MTU");
        env.put("TUNNELVISION_STREAMS_THRESHOLDS", "openAfter=2,closeAfter=3,recentIntervals=3");
        env.put("TUNNELVISION_STREAMS_VERIFY_INTERVALS", "3");
        env.put("TUNNELVISION_STREAMS_MAX_UNVERIFIED", "10");
        env.put("TUNNELVISION_STREAMS_COOLDOWN", "10m");
        StreamsAppConfig config = new StreamsAppConfig(new Env(env));
        Properties props = StreamsProperties.of(config);
        // switched on while the tunnel is broken: it judges what it sees from now on, not the minutes before,
        // when one gateway's agent was up before its peer's reflector and every probe was lost
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
        KafkaStreams streams = new KafkaStreams(new TunnelvisionTopology(config.topics(), config.thresholds(),
                config.policy(), config.plannerSettings(), CommandSigner.fromFile(key.privateKey())).build(), props);
        streams.start();
        return streams;
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING) {
            assertTrue(System.currentTimeMillis() < deadline, "streams not RUNNING: " + streams.state());
            Thread.sleep(100);
        }
    }

    private void startAgent(LabProcesses processes, Gateway g, Gateway peer, String dev, String bootstrap,
                            Ed25519Keys.KeyFiles key) throws Exception {
        Path home = Files.createDirectories(runDir.resolve(g.hostId()));
        Path trusted = Files.createDirectories(home.resolve("trusted-keys"));
        Files.copy(key.publicKey(), trusted.resolve("planner.pub.pem"));
        Map<String, String> env = new HashMap<>();
        env.put("TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap);
        env.put("TUNNELVISION_TOPIC_NAMESPACE", topics.namespace());
        env.put("TUNNELVISION_AGENT_HOST_ID", g.hostId());
        env.put("TUNNELVISION_AGENT_SAMPLE_INTERVAL", "1s");
        env.put("TUNNELVISION_AGENT_SPOOL_DIR", home.resolve("spool").toString());
        env.put("TUNNELVISION_AGENT_STATE_DIR", home.resolve("state").toString());
        env.put("TUNNELVISION_AGENT_TRUSTED_KEYS_DIR", trusted.toString());
        env.put("TUNNELVISION_AGENT_DRY_RUN", "false");
        env.put("TUNNELVISION_AGENT_APPLY_ACTIONS", "MTU");
        env.put("TUNNELVISION_AGENT_PROBE_PEERS", peer.hostId() + "@" + dev + "=" + peer.overlayIp() + ","
                + peer.underlayIp());
        env.put("TUNNELVISION_AGENT_PROBE_SIZES", "64,mtu");
        env.put("TUNNELVISION_AGENT_PROBE_RATE", "10");
        env.put("TUNNELVISION_AGENT_PROBE_INTERVAL", "1s");
        env.put("TUNNELVISION_AGENT_PROBE_PORT", Integer.toString(PROBE_PORT));
        Path log = runDir.resolve(g.hostId() + "-agent.log");
        Process p = processes.start(g.ns(), "io.tunnelvision.agent.AgentMain", List.of("run"), env, log, "128m");
        LabProcesses.awaitLine(p, log, "probing 1 peer(s)", 60_000);
    }
}
