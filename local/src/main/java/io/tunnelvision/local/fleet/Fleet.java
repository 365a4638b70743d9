package io.tunnelvision.local.fleet;

import io.tunnelvision.agent.apply.CommandConsumer;
import io.tunnelvision.agent.apply.SpoolResults;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.ProducerSettings;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.agent.publish.SpoolSender;
import io.tunnelvision.agent.run.SampleRouting;
import io.tunnelvision.local.scenario.FleetLayout;
import io.tunnelvision.local.scenario.GatewayPlan;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated fleet driven by the real agent code. Every interval each gateway's model is advanced (faults
 * injected and cleared on the scenario's schedule) and the agent's collectors read its tree; the samples go,
 * keyed by host id, through one on-disk spool and one idempotent producer for the whole fleet (the agent's
 * {@link SpoolSender}). One reader applies the fleet's signed commands through each gateway's own executor and
 * sends the results back the same way. A few worker threads step the gateways, not one thread each.
 */
public final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    private static final long SPOOL_BYTES = 256L * 1024 * 1024;
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * @param dataDir       where the gateways' trees, sequences and executor state and the fleet's spool live
     * @param kafkaSecurity the client security properties the fleet's producer and command reader use, an agent's
     *                      ({@code KafkaSecurity.clientProperties()}; empty on a broker without security)
     * @param workers       threads stepping gateways
     */
    public record Settings(Path dataDir, String bootstrap, Map<String, Object> kafkaSecurity, Topics topics,
                           CommandSignatureVerifier verifier, int workers) {
    }

    private final Scenario scenario;
    private final Settings settings;
    private final Clock clock;
    private final Map<String, FleetGateway> gateways = new LinkedHashMap<>();
    private final List<List<FleetGateway>> slices = new ArrayList<>();
    private final DiskSpool spool;
    private final SpoolSender sender;
    private final SampleRouting routing;
    private final CommandConsumer commands;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong lateTicks = new AtomicLong();
    private final AtomicLong lastTickMicros = new AtomicLong();
    private final AtomicLong gatewaySteps = new AtomicLong();
    private final AtomicLong simulatorCpuNanos = new AtomicLong();
    private final AtomicLong collectorCpuNanos = new AtomicLong();
    private volatile long startMs;
    /** When the last step ended (epoch ms): the next one advances the models by the time since. */
    private volatile long lastStepMs;

    private Fleet(Scenario scenario, Settings settings, Clock clock) {
        this.scenario = scenario;
        this.settings = settings;
        this.clock = clock;
        Path root = settings.dataDir();
        long boot = nextBoot(root);
        for (GatewayPlan plan : FleetLayout.of(scenario)) {
            gateways.put(plan.name(), new FleetGateway(plan, root.resolve("gateways").resolve(plan.name()), boot,
                    settings.verifier(), clock));
        }
        int n = Math.max(1, settings.workers());
        for (int i = 0; i < n; i++) {
            slices.add(new ArrayList<>());
        }
        int i = 0;
        for (FleetGateway g : gateways.values()) {
            slices.get(i++ % n).add(g);
        }
        this.spool = DiskSpool.open(root.resolve("spool"), SPOOL_BYTES);
        String producerId = "simulated-fleet" + (settings.topics().namespace().isEmpty() ? ""
                : "-" + settings.topics().namespace());
        this.sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                ProducerSettings.forBootstrap(settings.bootstrap(), settings.kafkaSecurity(), producerId),
                new ByteArraySerializer(), new ByteArraySerializer()));
        SamplePublisher publisher = new SamplePublisher(spool);
        this.routing = new SampleRouting(settings.topics(), publisher);
        Map<String, Function<TuningCommand, CommandResult>> executors = new HashMap<>();
        gateways.forEach((host, gateway) -> executors.put(host, gateway::handle));
        this.commands = CommandConsumer.forHosts(settings.topics().commands, "the simulated fleet", executors,
                new SpoolResults(settings.topics().commandResults, settings.topics().deadLetters, publisher),
                () -> new KafkaConsumer<>(commandConsumerSettings(settings.bootstrap(), settings.kafkaSecurity(),
                        settings.topics()), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        this.workers = Executors.newFixedThreadPool(n, daemon("fleet-worker"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("fleet-clock"));
    }

    /**
     * The fleet's one command reader (all partitions, every gateway's commands): read_committed, the earliest
     * offset when the group has none, no auto-commit, as each agent reads its own.
     */
    static Map<String, Object> commandConsumerSettings(String bootstrap, Map<String, Object> security,
                                                       Topics topics) {
        Map<String, Object> settings = new HashMap<>(security);
        settings.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                // an agent's group, so the agents' ACL covers the fleet's reader too
                ConsumerConfig.GROUP_ID_CONFIG, topics.agentGroupPrefix() + "simulated-fleet",
                ConsumerConfig.CLIENT_ID_CONFIG, "simulated-fleet-executor",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
        return settings;
    }

    /** Lays out the scenario's gateways under the data directory and starts stepping and sampling them. */
    public static Fleet start(Scenario scenario, Settings settings) {
        Fleet fleet = new Fleet(scenario, settings, Clock.systemUTC());
        fleet.sender.start();
        fleet.commands.start();
        fleet.startMs = fleet.clock.millis();
        fleet.lastStepMs = fleet.startMs;
        long every = scenario.interval().toMillis();
        fleet.timer.scheduleAtFixedRate(fleet::tickSafely, every, every, TimeUnit.MILLISECONDS);
        LOG.info("simulated fleet '{}': {} gateways, every {}, {} worker(s), data in {}", scenario.name(),
                fleet.gateways.size(), scenario.interval(), fleet.slices.size(), settings.dataDir());
        return fleet;
    }

    /** Each run is a new boot of every gateway; the number is kept in the data directory. */
    private static long nextBoot(Path root) {
        Path file = root.resolve("boots");
        try {
            Files.createDirectories(root);
            long boot = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip())
                    + 1 : 0;
            Files.writeString(file, Long.toString(boot), StandardCharsets.US_ASCII);
            return boot;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the boot count in " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " holds no number: remove it to start counting again", e);
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("fleet step failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Steps and samples every gateway once; public for benchmarks that drive the fleet themselves. */
    void tick() throws InterruptedException {
        long began = System.nanoTime();
        long now = clock.millis();
        Duration elapsed = Duration.ofMillis(now - startMs);
        // The models advance by the time since the last step, not by the scenario's interval: a tick the timer ran
        // late (a loaded machine) would otherwise put one interval's counts under a longer gap between the samples'
        // times and the next tick's under a shorter one, and every rate would swing with the scheduling.
        Duration step = Duration.ofMillis(Math.max(1, now - lastStepMs));
        lastStepMs = now;
        List<Future<Integer>> parts = new ArrayList<>();
        for (List<FleetGateway> slice : slices) {
            parts.add(workers.submit(() -> {
                int n = 0;
                long modelCpu = 0;
                long agentCpu = 0;
                for (FleetGateway g : slice) {
                    long t0 = CPU.getCurrentThreadCpuTime();
                    g.advance(elapsed, step, scenario.load());
                    long t1 = CPU.getCurrentThreadCpuTime();
                    n += g.collect(routing, now);
                    modelCpu += t1 - t0;
                    agentCpu += CPU.getCurrentThreadCpuTime() - t1;
                }
                simulatorCpuNanos.addAndGet(modelCpu);
                collectorCpuNanos.addAndGet(agentCpu);
                return n;
            }));
        }
        for (Future<Integer> part : parts) {
            try {
                samples.addAndGet(part.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a fleet worker failed", e.getCause());
            }
        }
        long micros = (System.nanoTime() - began) / 1000;
        lastTickMicros.set(micros);
        if (micros > scenario.interval().toMillis() * 1000) {
            lateTicks.incrementAndGet();
        }
        ticks.incrementAndGet();
        gatewaySteps.addAndGet(gateways.size());
    }

    /**
     * Stops sampling (a round under way finishes) and waits until the spool has sent everything it holds, as a
     * run that must end with nothing left behind needs; {@link #close()} alone keeps what was not sent for the
     * next start.
     *
     * @return whether the spool emptied within {@code limit}
     */
    public boolean stopSampling(Duration limit) throws InterruptedException {
        timer.shutdown();
        long deadline = System.nanoTime() + limit.toNanos();
        timer.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
        while (spool.pendingRecords() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sender.wake();
            Thread.sleep(100);
        }
        return true;
    }

    public Map<String, FleetGateway> gateways() {
        return java.util.Collections.unmodifiableMap(gateways);
    }

    /** When the scenario's clock started (epoch ms): fault times count from here. */
    public long startedAtMs() {
        return startMs;
    }

    public int size() {
        return gateways.size();
    }

    public Scenario scenario() {
        return scenario;
    }

    /**
     * @param simulatorCpuNanos CPU the model and its tree cost (stepping, writing the files)
     * @param collectorCpuNanos CPU the agent's collection rounds over the trees cost (reading, parsing, spooling)
     */
    public record Stats(long ticks, long lateTicks, long lastTickMicros, long gatewaySteps, long samples, long sent,
                        long spooled, long commands, long simulatorCpuNanos, long collectorCpuNanos) {
    }

    public Stats stats() {
        return new Stats(ticks.get(), lateTicks.get(), lastTickMicros.get(), gatewaySteps.get(), samples.get(),
                sender.sentRecords(), spool.pendingRecords(), commands.handledCommands(), simulatorCpuNanos.get(),
                collectorCpuNanos.get());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        commands.close();
        sender.close();
        spool.close();
    }
}
