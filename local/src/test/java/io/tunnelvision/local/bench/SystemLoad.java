package io.tunnelvision.local.bench;

import io.tunnelvision.agent.publish.ProducerSettings;
import io.tunnelvision.local.LocalSystem;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.local.scenario.ScenarioParser;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.topology.GatewaySim;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The central part of the local system alone (broker, streams app, api, PostgreSQL) under the samples of many
 * gateways, without the simulated fleet's trees and collectors: {@link GatewaySim} renders each gateway's five
 * samples a second (softnet, interrupts, links, kernel settings, interface config; 8 CPUs, healthy) straight
 * into Avro, and one idempotent producer sends them as the fleet's sender would. Run by hand:
 * <pre>
 * mvn -q -DskipTests -pl local -am package
 * java -Xmx3g -cp local/target/tunnelvision-local.jar:local/target/test-classes:streams/target/test-classes \
 *     [-Dload.faultAt=60] io.tunnelvision.local.bench.SystemLoad GATEWAYS SECONDS [DATA_DIR]
 * </pre>
 * Every 10 s it prints how many of the generator's rounds ran late, the records sent, the streams app's and the
 * api's consumer lag; at the end the CPU of each group of threads. The generator's own CPU is printed apart, so
 * the rest is what the central system costs per gateway-second. From round 60 on ({@code -Dload.faultAt=N}: from
 * round N, e.g. after the start-up backlog is gone), one gateway in a hundred drops
 * 500 packets a second on its WireGuard tunnel (tx drops, its CPUs idle). At the end it prints the time from
 * that fault to each such gateway's first command twice. The first is stream time, from the command's
 * {@code issuedAt} in the api. The second is wall clock: from sending the first bad sample to the command being
 * readable on the control topic ({@link CommandArrivals}), which includes how far streams runs behind.
 */
public final class SystemLoad {

    private SystemLoad() {
    }

    public static void main(String[] args) throws Exception {
        int gateways = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        Path dataDir = Path.of(args.length > 2 ? args[2] : "/dev/shm/tunnelvision-system-" + gateways);
        Scenario scenario = ScenarioParser.parse("bench.yaml", new InputStreamReader(
                SystemLoad.class.getResourceAsStream("/io/tunnelvision/local/bench.yaml"), StandardCharsets.UTF_8))
                .withGateways(1);
        LocalSystem system = LocalSystem.start(new LocalSystem.Options(dataDir, scenario, 0, 1,
                Map.of(StreamsAppConfig.MAX_UNVERIFIED.env(), "10000"), Map.of()),
                step -> System.out.println("  " + step));
        Topics topics = Topics.standard();
        List<GatewaySim> sims = new ArrayList<>();
        long start = (System.currentTimeMillis() / 1000 + 1) * 1000;
        for (int i = 0; i < gateways; i++) {
            sims.add(new GatewaySim(String.format(Locale.ROOT, "load-gw-%05d", i), 8).startingAt(start));
        }
        int faultRound = Integer.getInteger("load.faultAt", 60);
        Map<String, Long> faultStart = new HashMap<>();
        for (int i = 0; i < gateways; i += 100) {
            faultStart.put(sims.get(i).host(), start + faultRound * 1000L);
        }
        Map<String, Long> faultSentAt = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        AtomicLong lateRounds = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        long[] generatorCpu = {0};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread generator = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    ProducerSettings.forBootstrap(system.kafkaBootstrap(), "system-load"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                long next = start;
                while (!Thread.currentThread().isInterrupted()) {
                    long wait = next - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    } else if (wait < -500) {
                        lateRounds.incrementAndGet();
                    }
                    for (GatewaySim sim : sims) {
                        send(producer, topics.softnetSamples, sim.host(), sim.softnet(0, 0));
                        send(producer, topics.interruptSamples, sim.host(), sim.interrupts(50_000, 0, 0.2, 0.05));
                        sim.link("eth0", 0, 0); // advances eth0's counters; the wg0 sample below carries both
                        boolean faulted = rounds.get() >= faultRound && faultStart.containsKey(sim.host());
                        send(producer, topics.linkSamples, sim.host(), sim.link("wg0", faulted ? 500 : 0, 0));
                        if (faulted) {
                            faultSentAt.putIfAbsent(sim.host(), System.currentTimeMillis());
                        }
                        send(producer, topics.kernelSettingsSamples, sim.host(), sim.kernel(0, 0));
                        send(producer, topics.interfaceConfigSamples, sim.host(), sim.interfaces(
                                GatewaySim.physical("eth0", 1500),
                                GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "ff", "eth0")));
                        sim.step();
                        sent.addAndGet(5);
                    }
                    rounds.incrementAndGet();
                    generatorCpu[0] = threads.getCurrentThreadCpuTime();
                    next += 1000;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "load-generator");
        generator.setDaemon(true);

        Map<String, Long> cpuBefore = FleetLoad.cpuByGroup(threads);
        long processCpuBefore = FleetLoad.processCpuNanos();
        long wallBefore = System.nanoTime();
        CommandArrivals arrivals = CommandArrivals.start(system.kafkaBootstrap(), topics.commands);
        generator.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                system.kafkaBootstrap()))) {
            long previousSent = 0;
            long previousRounds = 0;
            for (int t = 10; t <= seconds; t += 10) {
                Thread.sleep(10_000);
                long nowSent = sent.get();
                long nowRounds = rounds.get();
                System.out.printf(Locale.ROOT, "t=%3ds rounds %d (late so far %d), records sent/s %d, streams lag %d,"
                                + " api lag %d, load %.1f%n", t, nowRounds - previousRounds, lateRounds.get(),
                        (nowSent - previousSent) / 10, FleetLoad.lag(admin, "tunnelvision-streams"),
                        FleetLoad.lag(admin, "tunnelvision-api"),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                previousSent = nowSent;
                previousRounds = nowRounds;
            }
        }
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        double process = (FleetLoad.processCpuNanos() - processCpuBefore) / 1e9 / wall;
        double generatorCores = generatorCpu[0] / 1e9 / wall;
        System.out.printf(Locale.ROOT, "process CPU %.2f cores over %.0f s, of which the generator %.2f:"
                        + " %.2f ms of CPU per gateway-second without it; by thread group (cores):%n", process, wall,
                generatorCores, (process - generatorCores) * 1000 / gateways);
        Map<String, Long> cpuAfter = FleetLoad.cpuByGroup(threads);
        new TreeMap<>(cpuAfter).forEach((group, nanos) -> {
            double cores = (nanos - cpuBefore.getOrDefault(group, 0L)) / 1e9 / wall;
            if (cores >= 0.01) {
                System.out.printf(Locale.ROOT, "  %-28s %.2f%n", group, cores);
            }
        });
        generator.interrupt();
        if (seconds > faultRound + 10) {
            FleetLoad.latencies(system, faultStart);
            arrivals.report(faultSentAt);
        }
        arrivals.close();
        system.close();
    }

    private static <V extends SpecificRecord> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic,
                                                        String host, V value) {
        producer.send(new ProducerRecord<>(topic.name(), topic.keySerde().serializer().serialize(topic.name(), host),
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }
}
