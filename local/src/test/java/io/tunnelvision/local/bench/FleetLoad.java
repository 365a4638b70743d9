package io.tunnelvision.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.local.LocalSystem;
import io.tunnelvision.local.fleet.Fleet;
import io.tunnelvision.local.scenario.FleetLayout;
import io.tunnelvision.local.scenario.GatewayPlan;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.local.scenario.ScenarioParser;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The local fleet under load, run by hand (not part of the suite):
 * <pre>
 * mvn -q -DskipTests -pl local -am package test-compile
 * java -cp local/target/tunnelvision-local.jar:local/target/test-classes \
 *     io.tunnelvision.local.bench.FleetLoad GATEWAYS SECONDS [DATA_DIR] [WORKERS]
 * </pre>
 * Runs the whole system with the bench scenario (5 % of the gateways start dropping transmits at 60 s) and prints,
 * every 10 s, how late the fleet's steps run, the streams app's and the api's consumer lag, and the CPU each group
 * of threads used; at the end the fault-to-command latency (command issued minus fault start) of the faulted
 * gateways. Put DATA_DIR on tmpfs (default /dev/shm/tunnelvision-bench-N).
 */
public final class FleetLoad {

    private FleetLoad() {
    }

    public static void main(String[] args) throws Exception {
        int gateways = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        Path dataDir = Path.of(args.length > 2 ? args[2] : "/dev/shm/tunnelvision-bench-" + gateways);
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Scenario scenario = ScenarioParser.parse("bench.yaml", new InputStreamReader(
                FleetLoad.class.getResourceAsStream("/io/tunnelvision/local/bench.yaml"), StandardCharsets.UTF_8))
                .withGateways(gateways);
        long started = System.nanoTime();
        LocalSystem system = LocalSystem.start(new LocalSystem.Options(dataDir, scenario, 0, workers,
                Map.of(StreamsAppConfig.MAX_UNVERIFIED.env(), "10000"), Map.of()),
                step -> System.out.println("  " + step));
        System.out.printf(Locale.ROOT, "started in %.1f s; %d gateways, %d workers, data in %s%n",
                (System.nanoTime() - started) / 1e9, gateways, workers, dataDir);
        Fleet fleet = system.fleet();
        CommandArrivals arrivals = CommandArrivals.start(system.kafkaBootstrap(), Topics.standard().commands);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpuBefore = cpuByGroup(threads);
        long processCpuBefore = processCpuNanos();
        long wallBefore = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                system.kafkaBootstrap()))) {
            Fleet.Stats previous = fleet.stats();
            for (int t = 10; t <= seconds; t += 10) {
                Thread.sleep(10_000);
                Fleet.Stats now = fleet.stats();
                long steps = Math.max(1, now.gatewaySteps() - previous.gatewaySteps());
                System.out.printf(Locale.ROOT, "t=%3ds ticks %d (late %d) last tick %.0f ms, CPU per gateway step:"
                                + " model+tree %.0f us, agent collectors %.0f us; records sent/s %.0f, "
                                + "spool pending %d, streams lag %d, api lag %d, load %.1f%n",
                        t, now.ticks() - previous.ticks(), now.lateTicks() - previous.lateTicks(),
                        now.lastTickMicros() / 1000.0,
                        (now.simulatorCpuNanos() - previous.simulatorCpuNanos()) / 1000.0 / steps,
                        (now.collectorCpuNanos() - previous.collectorCpuNanos()) / 1000.0 / steps,
                        (now.sent() - previous.sent()) / 10.0, now.spooled(),
                        lag(admin, "tunnelvision-streams"), lag(admin, "tunnelvision-api"),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                previous = now;
            }
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            System.out.printf(Locale.ROOT, "process CPU %.2f cores over %.0f s; by thread group (cores):%n",
                    (processCpuNanos() - processCpuBefore) / 1e9 / wall, wall);
            Map<String, Long> cpuAfter = cpuByGroup(threads);
            new TreeMap<>(cpuAfter).forEach((group, nanos) -> {
                double cores = (nanos - cpuBefore.getOrDefault(group, 0L)) / 1e9 / wall;
                if (cores >= 0.01) {
                    System.out.printf(Locale.ROOT, "  %-28s %.2f%n", group, cores);
                }
            });
        }
        Map<String, Long> faultStart = faultStarts(scenario, fleet.startedAtMs());
        latencies(system, faultStart);
        arrivals.report(faultStart);
        arrivals.close();
        system.close();
    }

    /** Sum over the group's partitions of end offset minus committed offset. */
    static long lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        if (committed.isEmpty()) {
            return -1;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        long lag = 0;
        for (var e : committed.entrySet()) {
            if (e.getValue() != null && ends.containsKey(e.getKey())) {
                lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
            }
        }
        return lag;
    }

    /** When each faulted gateway's fault begins: the fleet's clock is the wall clock. */
    private static Map<String, Long> faultStarts(Scenario scenario, long fleetStartMs) {
        Map<String, Long> faultStart = new HashMap<>();
        for (GatewayPlan g : FleetLayout.of(scenario)) {
            g.faults().forEach(f -> faultStart.put(g.name(), fleetStartMs + f.start().toMillis()));
        }
        return faultStart;
    }

    /** Prints, over the faulted gateways, the time from each one's fault to its first command (through the api). */
    static void latencies(LocalSystem system, Map<String, Long> faultStart) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> first = new HashMap<>();
        String cursor = null;
        do {
            String url = system.apiUrl() + "commands?limit=500" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + system.token()).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode c : page.path("items")) {
                Long start = faultStart.get(c.path("hostId").asText());
                if (start != null && c.path("rollbackOf").isNull()) {
                    first.merge(c.path("hostId").asText(),
                            Instant.parse(c.path("issuedAt").asText()).toEpochMilli() - start, Math::min);
                }
            }
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        CommandArrivals.print("issuedAt (stream time: the triggering sample's time)", new ArrayList<>(first.values()),
                faultStart.size());
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of live threads, grouped by name with digits and ids stripped. */
    static Map<String, Long> cpuByGroup(ThreadMXBean threads) {
        Map<String, Long> groups = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                groups.merge(group(info.getThreadName()), cpu, Long::sum);
            }
        }
        return groups;
    }

    static String group(String name) {
        String g = name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "")
                .replaceAll("\\d+", "").replaceAll("\\s+", " ");
        if (g.startsWith("data-plane-kafka") || g.startsWith("kafka-") || g.contains("raft")
                || g.startsWith("controller") || g.startsWith("broker") || g.startsWith("ReplicaFetcher")
                || g.startsWith("LogDirFailure") || g.startsWith("ExpirationReaper")) {
            return "kafka broker: " + (g.length() > 20 ? g.substring(0, 20) : g);
        }
        return g.length() > 28 ? g.substring(0, 28) : g;
    }
}
