package io.tunnelvision.streams.bench;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.KafkaFixture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Benchmarks on the real (in-JVM) broker, run on demand and never as part of the suite (the name matches
 * neither *Test nor *IT): {@code mvn -o -pl streams test -Dtest=StreamsBench -Dsurefire.failIfNoSpecifiedTests=false}.
 * Prints the figures for BENCHMARKS.md; {@code -Dbench.only=throughput} or {@code latency} runs one part.
 */
class StreamsBench {

    private static final int HOSTS = 200;
    private static final int SAMPLES_PER_HOST = 250;

    @Test
    void throughputAgainstAPlainConsumerAndSampleToCommandLatency() throws Exception {
        String only = System.getProperty("bench.only", "");
        if (!only.equals("latency")) {
            // twice, on fresh topics and a fresh application id: the first run in the JVM spends much of its CPU
            // compiling (C2) the app's, RocksDB's and the clients' code; the second is closer to a steady state
            try (KafkaFixture kafka = new KafkaFixture()) {
                throughput(kafka, "cold");
            }
            try (KafkaFixture kafka = new KafkaFixture()) {
                throughput(kafka, "warm");
            }
        }
        if (!only.equals("throughput")) {
            try (KafkaFixture kafka = new KafkaFixture()) {
                latency(kafka);
            }
        }
    }

    private static void throughput(KafkaFixture kafka, String run) throws InterruptedException {
        List<GatewaySim> sims = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            sims.add(new GatewaySim("gw-bench-" + i, 8));
        }
        for (int s = 0; s < SAMPLES_PER_HOST; s++) {
            for (GatewaySim sim : sims) {
                kafka.send(kafka.topics.softnetSamples, sim.host(), sim.softnet(s % 7 == 0 ? 1 : 0, 0), sim.timeMs());
                sim.step();
            }
        }
        kafka.flush();
        int total = HOSTS * SAMPLES_PER_HOST;

        long begin = System.nanoTime();
        long cpuBegin = processCpuNanos();
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        int read = 0;
        try (KafkaConsumer<String, SoftnetSample> consumer = new KafkaConsumer<>(props,
                kafka.topics.softnetSamples.keySerde().deserializer(),
                kafka.topics.softnetSamples.valueSerde().deserializer())) {
            consumer.subscribe(List.of(kafka.topics.softnetSamples.name()));
            while (read < total) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        double plainSeconds = (System.nanoTime() - begin) / 1e9;
        double plainCpuSeconds = (processCpuNanos() - cpuBegin) / 1e9;

        double[] txn = transactionalCopy(kafka, total);

        StreamsAppConfig config = kafka.config(Map.of("TUNNELVISION_STREAMS_PLANNER_MODE", "off",
                "TUNNELVISION_STREAMS_THREADS", System.getProperty("bench.threads", "1"),
                "TUNNELVISION_STREAMS_COMMIT_INTERVAL", System.getProperty("bench.commit", "100ms")));
        begin = System.nanoTime();
        KafkaStreams streams = kafka.start(config, CommandSigner.of(Ed25519Keys.generate()));
        KafkaFixture.awaitRunning(streams);
        double startSeconds = (System.nanoTime() - begin) / 1e9;
        cpuBegin = processCpuNanos();
        Map<String, Long> threadsBegin = threadTicks();
        long streamThreadCpuBegin = streamThreadCpuNanos();
        int expectedRates = total - HOSTS;
        long[] firstRateAt = {0};
        int readBack = kafka.readUntil(kafka.topics.softnetRates, records -> {
            if (firstRateAt[0] == 0 && !records.isEmpty()) {
                firstRateAt[0] = System.nanoTime();
            }
            return records.size() >= expectedRates;
        }, Duration.ofMinutes(10)).size();
        double streamsSeconds = (System.nanoTime() - begin) / 1e9;
        double firstToLastSeconds = (System.nanoTime() - firstRateAt[0]) / 1e9;
        double streamsCpuSeconds = (processCpuNanos() - cpuBegin) / 1e9;
        double streamThreadCpuSeconds = (streamThreadCpuNanos() - streamThreadCpuBegin) / 1e9;
        String topThreads = topThreads(threadsBegin, threadTicks());
        streams.close(Duration.ofSeconds(30));
        if (readBack < expectedRates) {
            throw new AssertionError("read back " + readBack + " of " + expectedRates + " rates in 10 minutes");
        }
        System.out.printf("BENCH [%s] throughput: %d softnet samples (%d hosts x %d CPUs x %d samples)%n", run,
                total, HOSTS, 8, SAMPLES_PER_HOST);
        System.out.printf("BENCH [%s] plain consumer (Avro decode): %.1f s, %.0f records/s%n", run, plainSeconds,
                total / plainSeconds);
        System.out.printf("BENCH [%s] transactional consume-decode-encode-produce, commit every 100 ms: %.1f s,"
                + " %.0f records/s (process CPU %.2f s)%n", run, txn[0], total / txn[0], txn[1]);
        System.out.printf("BENCH [%s] topology (EOS, start included): %.1f s, %.0f records/s, ratio %.2f%n", run,
                streamsSeconds, total / streamsSeconds, plainSeconds / streamsSeconds);
        double runSeconds = streamsSeconds - startSeconds;
        System.out.printf("BENCH [%s] topology (EOS, from RUNNING after %.1f s start): %.1f s, %.0f records/s,"
                + " ratio %.2f%n", run, startSeconds, runSeconds, total / runSeconds, plainSeconds / runSeconds);
        System.out.printf("BENCH [%s] topology, first rate read to last (tasks open, first commit done): %.1f s,"
                + " %.0f records/s, ratio %.2f%n", run, firstToLastSeconds, total / firstToLastSeconds,
                plainSeconds / firstToLastSeconds);
        // CPU time moves far less than wall time when other builds share the machine: the whole JVM (broker and
        // reading consumers included) while the plain consumer reads, and while the topology runs from RUNNING
        System.out.printf("BENCH [%s] process CPU: plain consumer %.2f s, topology from RUNNING %.2f s (stream thread"
                        + " %.2f s), ratio %.2f%n", run, plainCpuSeconds, streamsCpuSeconds, streamThreadCpuSeconds,
                plainCpuSeconds / streamsCpuSeconds);
        System.out.printf("BENCH [%s] CPU by thread while the topology runs (s): %s%n", run, topThreads);
        System.out.printf("BENCH [%s] topology against the transactional copy: %.2f (wall, from RUNNING),"
                + " %.2f (CPU)%n", run, txn[0] / runSeconds, txn[1] / streamsCpuSeconds);
    }

    /**
     * Context, not the goal's baseline: what exactly-once costs without any topology. A consumer and a
     * transactional producer copy the samples (decoded and encoded again) to a topic of their own, committing
     * offsets and output in one transaction every 100 ms like the app. Returns wall and process CPU seconds.
     */
    private static double[] transactionalCopy(KafkaFixture kafka, int total) {
        Topics copy = Topics.inNamespace(kafka.namespace + "-copy");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap))) {
            new TopicCreator(admin).ensure(List.of(copy.softnetSamples));
        }
        Topic<String, SoftnetSample> in = kafka.topics.softnetSamples;
        long begin = System.nanoTime();
        long cpuBegin = processCpuNanos();
        Map<String, Object> consumerProps = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-txn-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-txn-" + UUID.randomUUID());
        int read = 0;
        try (KafkaConsumer<String, SoftnetSample> consumer = new KafkaConsumer<>(consumerProps,
                in.keySerde().deserializer(), in.valueSerde().deserializer());
             KafkaProducer<String, SoftnetSample> producer = new KafkaProducer<>(producerProps,
                     copy.softnetSamples.keySerde().serializer(), copy.softnetSamples.valueSerde().serializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(in.name()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            producer.beginTransaction();
            long lastCommit = System.nanoTime();
            while (read < total) {
                for (ConsumerRecord<String, SoftnetSample> record : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(copy.softnetSamples.name(), record.key(), record.value()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                    read++;
                }
                if (read == total || System.nanoTime() - lastCommit >= 100_000_000L) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    offsets.clear();
                    lastCommit = System.nanoTime();
                    if (read < total) {
                        producer.beginTransaction();
                    }
                }
            }
        }
        return new double[] {(System.nanoTime() - begin) / 1e9, (processCpuNanos() - cpuBegin) / 1e9};
    }

    /**
     * CPU ticks (1/100 s) of every thread of this process by name, native ones too (GC, JIT compilers, RocksDB),
     * from /proc/self/task; names are the kernel's (15 characters), digits folded so pools add up.
     */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    ticks.merge(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]),
                            Long::sum);
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (java.io.IOException e) {
            return Map.of();
        }
        return ticks;
    }

    private static String topThreads(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byName = new HashMap<>();
        after.forEach((key, t) -> byName.merge(key.substring(key.indexOf(' ') + 1).replaceAll("\\d+", "N"),
                t - before.getOrDefault(key, 0L), Long::sum));
        return byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / 100.0))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of the app's stream threads (not their producers' network threads) still alive. */
    private static long streamThreadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().matches(".*-StreamThread-\\d+")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** 40 hosts sample every second; each turns bad at its own moment; time from its first bad sample to its command. */
    private static void latency(KafkaFixture kafka) throws InterruptedException {
        StreamsAppConfig config = kafka.config(Map.of("TUNNELVISION_STREAMS_THRESHOLDS", "fleetMinHosts=1000"));
        KafkaStreams streams = kafka.start(config, CommandSigner.of(Ed25519Keys.generate()));
        KafkaFixture.awaitRunning(streams);
        int hosts = 40;
        List<GatewaySim> sims = new ArrayList<>();
        Map<String, Long> firstBadAt = new HashMap<>();
        long start = System.currentTimeMillis();
        for (int i = 0; i < hosts; i++) {
            GatewaySim sim = new GatewaySim("gw-lat-" + i, 4);
            kafka.send(kafka.topics.interfaceConfigSamples, sim.host(), sim.interfaces(
                    GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                    GatewaySim.physical("eth0", 1500)), start);
            sims.add(sim);
        }
        Map<String, Long> commandAt = new HashMap<>();
        Thread reader = new Thread(() -> kafka.readUntil(kafka.topics.commands, records -> {
            records.forEach(r -> commandAt.putIfAbsent(r.key(), System.currentTimeMillis()));
            return commandAt.size() >= hosts;
        }, Duration.ofSeconds(60)));
        Map<String, Long> openAt = new java.util.concurrent.ConcurrentHashMap<>();
        Thread hotspotReader = new Thread(() -> kafka.readUntil(kafka.topics.hotspots, records -> {
            records.stream().filter(r -> r.value().getScope() == io.tunnelvision.schemas.avro.HotspotScope.HOST)
                    .forEach(r -> openAt.putIfAbsent(r.key(), System.currentTimeMillis()));
            return openAt.size() >= hosts;
        }, Duration.ofSeconds(60)));
        reader.start();
        hotspotReader.start();
        for (int second = 0; second < 14; second++) {
            long tick = start + second * 1000L;
            Thread.sleep(Math.max(0, tick - System.currentTimeMillis()));
            for (int i = 0; i < hosts; i++) {
                GatewaySim sim = sims.get(i);
                boolean bad = second >= 2 + (i % 5);
                long now = System.currentTimeMillis();
                if (bad) {
                    firstBadAt.putIfAbsent(sim.host(), now);
                }
                kafka.send(kafka.topics.interruptSamples, sim.host(), sim.interrupts(2000, 0, 0.5, 0.1), now);
                kafka.send(kafka.topics.linkSamples, sim.host(), sim.link("tun0", bad ? 40 : 0, 0), now);
                sim.step();
            }
            kafka.flush();
        }
        reader.join();
        hotspotReader.join();
        long[] openLatencies = sims.stream().filter(s -> openAt.containsKey(s.host()))
                .mapToLong(s -> openAt.get(s.host()) - firstBadAt.get(s.host())).sorted().toArray();
        System.out.println("BENCH hotspot on the hotspots topic, ms after first bad sample "
                + Arrays.toString(openLatencies));
        long[] latencies = sims.stream().filter(s -> commandAt.containsKey(s.host()))
                .mapToLong(s -> commandAt.get(s.host()) - firstBadAt.get(s.host())).sorted().toArray();
        streams.close(Duration.ofSeconds(30));
        System.out.printf("BENCH latency first bad sample -> command, 1 s sampling, openAfter=3, %d/%d hosts: "
                        + "p50 %d ms, p99 %d ms, max %d ms%n", latencies.length, hosts,
                latencies[latencies.length / 2], latencies[(int) Math.ceil(latencies.length * 0.99) - 1],
                latencies[latencies.length - 1]);
        System.out.println("BENCH all latencies ms " + Arrays.toString(latencies));
    }
}
