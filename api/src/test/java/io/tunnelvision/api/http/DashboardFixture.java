package io.tunnelvision.api.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicQueue;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.TxQueue;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * A running api on a fresh schema of the shared PostgreSQL and a topic namespace of its own on the shared broker,
 * with a small fleet written through the ingest path: five gateways, the last 15 minutes of rates every 5 s (rolled
 * up into the minute tier), one gateway in a single-core NET_RX storm on CPU 0, hotspots, an MTU change, and
 * commands that were verified, rolled back or still wait for an operator.
 */
final class DashboardFixture implements AutoCloseable {

    static final String VIEWER = "viewer-" + UUID.randomUUID();
    static final String OPERATOR = "operator-" + UUID.randomUUID();
    /** The gateway whose NET_RX and NIC interrupts all land on CPU 0. */
    static final String STORM = "gw-ams-2";
    static final String WG_UP = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    static final String WG_STALE = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
    static final String WG_NEVER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    /** The gateway with egress queue and NIC samples: eth0 drops in a child qdisc and in its ring, tun0 at txqueuelen 0. */
    static final String QUEUES = "gw-nyc-1";
    static final List<String> HOSTS = List.of("gw-ams-1", STORM, "gw-fra-1", "gw-fra-2", "gw-nyc-1");
    static final Duration HISTORY = Duration.ofMinutes(15);
    static final int STEP_SECONDS = 5;

    final Instant now = Instant.now();
    final Instant start = now.truncatedTo(ChronoUnit.MINUTES).minus(HISTORY);
    final Database database;
    final Topics topics;
    final ApiServer server;
    final String base;
    private final IngestWriter writer;

    DashboardFixture(String schemaPrefix) {
        database = TestDatabase.fresh(schemaPrefix);
        Clock clock = Clock.systemUTC();
        PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
        writer = new IngestWriter(database.jdbi(), partitions, RowSink.multiRowInsert());
        write(seed());
        Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
        for (MetricFamily family : MetricFamily.values()) {
            rollups.rollUp(family, Tier.MINUTE, start, now.plusSeconds(60));
        }

        topics = Topics.inNamespace("dash-" + UUID.randomUUID().toString().substring(0, 8));
        server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, clock,
                DecisionTopic.tokens(VIEWER, OPERATOR), DecisionTopic.publisher(topics), new Health(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(0);
        base = "http://127.0.0.1:" + server.port();
    }

    /** Stores records as the ingest consumer would. */
    void write(List<Item> items) {
        writer.write(items);
    }

    /** The first decision on the command that reached the decisions topic, or an AssertionError after 30 s. */
    CommandDecision readDecision(String commandId) {
        return DecisionTopic.first(topics.commandDecisions, commandId).value();
    }

    @Override
    public void close() {
        server.close();
    }

    private List<Item> seed() {
        List<Item> items = new ArrayList<>();
        long samples = Duration.between(start, now).toSeconds() / STEP_SECONDS;
        for (int h = 0; h < HOSTS.size(); h++) {
            String host = HOSTS.get(h);
            int cpus = host.equals("gw-nyc-1") ? 8 : 4;
            for (int s = 1; s <= samples; s++) {
                Instant t = start.plusSeconds((long) s * STEP_SECONDS);
                // a slow wave so the throughput charts have a shape; each gateway a little different
                double load = 2_000 + 1_200 * Math.sin(s / 18.0 + h) + 150 * h;
                items.add(new Item(Source.LINK_RATES, TestRecords.link(host, t, s, load, "tun0", "eth0")));
                items.add(new Item(Source.INTERRUPT_RATES, interrupts(host, t, s, cpus, load, host.equals(STORM))));
                items.add(new Item(Source.SOFTNET_RATES, softnet(host, t, s, cpus, load, host.equals(STORM))));
                items.add(new Item(Source.KERNEL_RATES, TestRecords.kernel(host, t, s, host.equals("gw-fra-1") ? 4 : 0)));
                if (s % 2 == 0) {
                    items.add(new Item(Source.LATENCY, TestRecords.latency(host, t, s, "gw-hub",
                            (host.equals(STORM) ? 9_000 : 2_400) + 40L * (s % 7), 1_800 + 30L * (s % 5))));
                }
            }
            items.add(new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig(host, start, 1, 1500)));
            items.add(new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings(host, start, 1, 212_992)));
        }
        // the storm gateway's WireGuard peers, two samples 10 s apart: one up, one stale (handshake 400 s old), one never
        for (int k = 0; k < 2; k++) {
            Instant t = now.minusSeconds(20 - 10L * k);
            items.add(new Item(Source.WIREGUARD, TestRecords.wireguard(STORM, t, 500 + k,
                    TestRecords.wgInterface("wg0",
                            TestRecords.wgPeer(WG_UP, "198.51.100.20:51820", t.minusSeconds(30), 1_000_000 + 80_000L * k,
                                    500_000 + 20_000L * k),
                            TestRecords.wgPeer(WG_STALE, "203.0.113.5:51820", now.minusSeconds(400), 7_000, 9_000)),
                    TestRecords.wgInterface("wg1", TestRecords.wgPeer(WG_NEVER, null, null, 0, 0)))));
        }
        // gw-nyc-1's egress queues, two samples 30 s apart: eth0's mq root over two pfifo_fast children, the first
        // dropping 5/s with a standing queue; its tun0 (set to txqueuelen 0 later on) under pfifo_fast
        for (int k = 0; k < 2; k++) {
            items.add(new Item(Source.QDISC, new QdiscSample(TestRecords.sampleHeader(QUEUES, now.minusSeconds(40 - 30L * k),
                    600 + k), List.of(
                    new Qdisc("eth0", "mq", "0:", null, 90_000L * k, 60L * k, 150L * k, 0L, 0L, 4_500L, 3L),
                    new Qdisc("eth0", "pfifo_fast", "0:", ":1", 60_000L * k, 40L * k, 150L * k, 0L, 0L, 4_500L, 3L),
                    new Qdisc("eth0", "pfifo_fast", "0:", ":2", 30_000L * k, 20L * k, 0L, 0L, 0L, 0L, 0L),
                    new Qdisc("tun0", "pfifo_fast", "0:", null, 0L, 0L, 0L, 0L, 0L, 0L, 0L)),
                    List.of(new TxQueue("eth0", 0, 9_000L, 3_000L, 1_879_048_192L)))));
        }
        // gw-nyc-1's NIC, two samples 30 s apart: 60 missed and 90 out-of-buffer drops (5/s) at a 512 ring of 4096,
        // one combined channel of 8, all on queue 0; rx-udp-gro-forwarding off
        for (int k = 0; k < 2; k++) {
            Nic nic = new Nic();
            nic.setInterface$("eth0");
            nic.setDriver("ixgbe");
            nic.setRxRing(512);
            nic.setRxRingMax(4096);
            nic.setCombinedChannels(1);
            nic.setCombinedChannelsMax(8);
            nic.setRxUsecs(200);
            nic.setAdaptiveRx(false);
            nic.setFeatures(Map.of("rx-udp-gro-forwarding", false));
            nic.setCounters(Map.of("rx_missed", 1_000L + 60L * k, "rx_no_buffer", 90L * k, "rx_dropped", 0L));
            nic.setQueues(List.of(new NicQueue(0, null, 150L * k, null, null), new NicQueue(1, null, 0L, null, null)));
            items.add(new Item(Source.NIC, new NicSample(TestRecords.sampleHeader(QUEUES, now.minusSeconds(40 - 30L * k),
                    700 + k), List.of(nic))));
        }
        items.add(new Item(Source.INTERFACE_CONFIG, new InterfaceConfigSample(TestRecords.sampleHeader(QUEUES,
                start.plusSeconds(300), 2), List.of(new InterfaceConfig("tun0", 7, InterfaceKind.TUN, 1500, 0, "up",
                List.of(), "eth0")))));
        // gw-fra-1's tunnel MTU was lowered to leave room for the encapsulation, and its rmem_max raised
        items.add(new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-fra-1", start.plusSeconds(400), 2,
                1420)));
        items.add(new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings("gw-fra-1", start.plusSeconds(420), 2,
                4_194_304)));

        items.add(hotspot("hs-storm", STORM, HotspotType.IRQ_CONCENTRATION, Severity.CRITICAL, "cpu0",
                "CPU 0 takes 94% of NET_RX and all eth0 queue interrupts", start.plusSeconds(120), null));
        items.add(hotspot("hs-squeeze", STORM, HotspotType.SOFTNET_SQUEEZE, Severity.WARNING, "cpu0",
                "CPU 0 runs out of softirq budget 40 times a second", start.plusSeconds(180), null));
        items.add(hotspot("hs-mtu", "gw-fra-1", HotspotType.MTU_MISMATCH, Severity.WARNING, "tun0",
                "tun0 MTU 1500 over eth0 MTU 1500 leaves no room for encapsulation", start.plusSeconds(60),
                start.plusSeconds(460)));
        items.add(hotspot("hs-udp", "gw-fra-1", HotspotType.UDP_BUFFER_ERRORS, Severity.INFO, "udp",
                "UdpRcvbufErrors at 4 per second", start.plusSeconds(300), null));
        items.add(new Item(Source.HOTSPOTS, TestRecords.fleetHotspot("hs-fleet", List.of(STORM, "gw-fra-1"),
                start.plusSeconds(240))));

        items.add(new Item(Source.COMMANDS, command("cmd-mtu", "gw-fra-1", TuningAction.MTU, "tun0", "1500", "1420",
                "hs-mtu", start.plusSeconds(390))));
        items.add(result("cmd-mtu", "gw-fra-1", "1500", "1420", start.plusSeconds(400)));
        items.add(outcome("cmd-mtu", "gw-fra-1", Verdict.VERIFIED, "ipFragCreatesPerSec", 850, 0,
                start.plusSeconds(460)));
        items.add(new Item(Source.COMMANDS, command("cmd-budget", "gw-ams-1", TuningAction.NETDEV_BUDGET, "", "300",
                "600", "hs-old", start.plusSeconds(200))));
        items.add(result("cmd-budget", "gw-ams-1", "300", "600", start.plusSeconds(205)));
        items.add(outcome("cmd-budget", "gw-ams-1", Verdict.ROLLED_BACK, "timeSqueezePerSec", 12, 11.5,
                start.plusSeconds(500)));
        items.add(new Item(Source.COMMAND_PROPOSALS, command("cmd-rps", STORM, TuningAction.RPS_CPUS, "eth0/rx-0",
                "1", "f", "hs-storm", start.plusSeconds(600))));
        items.add(new Item(Source.COMMAND_PROPOSALS, command("cmd-budget-storm", STORM, TuningAction.NETDEV_BUDGET,
                "", "300", "600", "hs-squeeze", start.plusSeconds(610))));
        return items;
    }

    private static Item hotspot(String id, String host, HotspotType type, Severity severity, String target,
                                String summary, Instant opened, Instant closed) {
        var record = TestRecords.hotspot(id, host, type, closed == null ? HotspotState.OPEN : HotspotState.CLOSED,
                opened, closed == null ? opened.plusSeconds(60) : closed);
        record.setSeverity(severity);
        record.setTarget(target);
        record.setSummary(summary);
        return new Item(Source.HOTSPOTS, record);
    }

    private static Item result(String id, String host, String before, String after, Instant at) {
        var record = TestRecords.result(id, host, CommandStatus.APPLIED, at);
        record.setValueBefore(before);
        record.setValueAfter(after);
        return new Item(Source.COMMAND_RESULTS, record);
    }

    private static Item outcome(String id, String host, Verdict verdict, String metric, double before, double after,
                                Instant at) {
        var record = TestRecords.outcome(id, host, verdict, at);
        record.setMetric(metric);
        record.setBefore(before);
        record.setAfter(after);
        return new Item(Source.COMMAND_OUTCOMES, record);
    }

    private static TuningCommand command(String id, String host, TuningAction action, String target, String from,
                                         String to, String hotspot, Instant issued) {
        TuningCommand command = TestRecords.command(id, host, issued);
        command.setAction(action);
        command.setTarget(target);
        command.setExpectedValue(from);
        command.setNewValue(to);
        command.setHotspotId(hotspot);
        command.setReason("planner: " + hotspot);
        return command;
    }

    /** NET_RX per CPU; in a storm CPU 0 does 94% of it and takes every NIC queue interrupt. */
    private static InterruptRates interrupts(String host, Instant t, long sequence, int cpus, double load,
                                             boolean storm) {
        List<Integer> ids = IntStream.range(0, cpus).boxed().toList();
        List<Double> netRx = ids.stream().map(c -> storm ? (c == 0 ? 0.94 * load : 0.06 * load / (cpus - 1))
                : load / cpus * (1 + 0.1 * Math.sin(c + sequence / 7.0))).toList();
        List<Double> share = ids.stream().map(c -> storm ? (c == 0 ? 0.97 : 0.04) : 0.12 + 0.03 * ((c + sequence) % 3))
                .toList();
        List<Double> queue = ids.stream().map(c -> storm ? (c == 0 ? load / 2 : 0.0) : load / 2 / cpus).toList();
        return InterruptRates.newBuilder().setHeader(TestRecords.rateHeader(host, t, sequence)).setCpus(ids)
                .setLines(List.of(IrqLineRate.newBuilder().setIrq("45").setDevices(List.of("eth0-rx-0"))
                        .setPerSecond(queue).build()))
                .setOtherPerSecond(ids.stream().map(c -> 50.0).toList()).setNetRxPerSecond(netRx)
                .setNetTxPerSecond(ids.stream().map(c -> load / 10).toList()).setSoftirqShare(share).build();
    }

    private static SoftnetRates softnet(String host, Instant t, long sequence, int cpus, double load, boolean storm) {
        List<SoftnetCpuRate> rates = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            boolean hot = storm && c == 0;
            rates.add(SoftnetCpuRate.newBuilder().setCpu(c).setProcessedPerSec(hot ? load : load / cpus)
                    .setDroppedPerSec(hot ? 2 + sequence % 5 : 0).setTimeSqueezePerSec(hot ? 30 + sequence % 20 : 0)
                    .setReceivedRpsPerSec(null).setFlowLimitPerSec(null).setBacklogLen(hot ? 600L : 3L).build());
        }
        return SoftnetRates.newBuilder().setHeader(TestRecords.rateHeader(host, t, sequence)).setCpus(rates).build();
    }
}
