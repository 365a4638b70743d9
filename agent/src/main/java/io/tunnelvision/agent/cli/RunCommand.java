package io.tunnelvision.agent.cli;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.agent.apply.CommandConsumer;
import io.tunnelvision.agent.apply.CommandCounts;
import io.tunnelvision.agent.apply.ExecutorWiring;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.metrics.AgentMetrics;
import io.tunnelvision.agent.metrics.MetricsServer;
import io.tunnelvision.agent.probe.ProbeWiring;
import io.tunnelvision.agent.probe.ReflectorCounts;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.ProducerSettings;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.agent.publish.SpoolSender;
import io.tunnelvision.agent.run.AgentLoop;
import io.tunnelvision.agent.run.CollectionRound;
import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.agent.run.SampleRouting;
import io.tunnelvision.agent.run.SequenceStore;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run}: the long-running publisher. Settings come from the TUNNELVISION_AGENT_* environment (see the
 * README); a flag given here wins over its variable.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Collect every interval and publish to Kafka through the on-disk spool, until stopped.")
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--host-id", description = "Overrides TUNNELVISION_AGENT_HOST_ID.")
    String hostId;

    @Option(names = "--proc-root", description = "Overrides TUNNELVISION_AGENT_PROC_ROOT.")
    String procRoot;

    @Option(names = "--sys-root", description = "Overrides TUNNELVISION_AGENT_SYS_ROOT.")
    String sysRoot;

    @Option(names = "--interval", description = "Overrides TUNNELVISION_AGENT_SAMPLE_INTERVAL.")
    String interval;

    @Option(names = "--spool-dir", description = "Overrides TUNNELVISION_AGENT_SPOOL_DIR.")
    String spoolDir;

    @Option(names = "--metrics-port", description = "Overrides TUNNELVISION_AGENT_METRICS_PORT.")
    String metricsPort;

    @Option(names = "--bootstrap", description = "Overrides TUNNELVISION_KAFKA_BOOTSTRAP.")
    String bootstrap;

    /** How often the qdisc collector runs {@code tc} (BENCHMARKS.md has its cost). */
    public static final int QDISC_EVERY_ROUNDS = 30;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig config = new AgentConfig(new Env(withFlags(System.getenv())));
        LOG.info("starting: {}", config);
        Map<String, Object> kafkaSecurity = config.kafkaSecurity().clientProperties();
        SettingsRefresh refresh = new SettingsRefresh(config.settingsEvery());
        PmtuSchedule pmtu = PmtuSchedule.background(config.pmtuEvery());
        // qdiscs every 30 rounds, and in the round after a command was answered, like the settings
        SettingsRefresh qdiscs = new SettingsRefresh(QDISC_EVERY_ROUNDS);
        CollectorRegistry registry = CollectorRegistry.standard(config.procRoot(), config.sysRoot(),
                config.irqDevices(), refresh, pmtu, qdiscs,
                config.nicInterfaces()).without(config.disabledCollectors());
        HostIdentity identity = HostIdentity.read(config.hostId(), config.procRoot());
        DiskSpool spool = DiskSpool.open(config.spoolDir(), config.spoolMaxBytes(), config.spoolFsync());
        SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                ProducerSettings.forBootstrap(config.kafkaBootstrap(), kafkaSecurity, config.hostId()),
                new ByteArraySerializer(), new ByteArraySerializer()), config.publishInterval()).start();
        // A command answered: its result goes out now, and the settings it may have changed are read next round.
        spool.onAppend(config.topics().commandResults.name(), () -> {
            refresh.requestNow();
            pmtu.requestNow();
            qdiscs.requestNow();
            sender.wake();
        });
        SampleRouting routing = new SampleRouting(config.topics(), new SamplePublisher(spool));
        AgentLoop loop = new AgentLoop(identity, new CollectionRound(registry), routing,
                new SequenceStore(config.spoolDir()), Clock.systemUTC());
        CommandCounts commandCounts = new CommandCounts();
        CommandConsumer commands = ExecutorWiring.start(config, kafkaSecurity, spool, commandCounts);
        ReflectorCounts reflectorCounts = new ReflectorCounts();
        MetricsServer metrics = new MetricsServer(new InetSocketAddress(config.metricsBind(), config.metricsPort()),
                new AgentMetrics(registry, spool, sender, loop, commandCounts, reflectorCounts)::render);
        loop.start(config.sampleInterval());
        ProbeWiring probes = ProbeWiring.start(config.probes(), config.sysRoot(), identity, routing,
                reflectorCounts);
        LOG.info("agent {} (boot {}) collecting {} every {}, metrics on {}:{}/metrics", identity.hostId(),
                identity.bootId(), registry.names(), config.sampleInterval(),
                config.metricsBind().getHostAddress(), metrics.port());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            commands.close();
            probes.close();
            loop.close();
            sender.close();
            spool.close();
            metrics.close();
            stopped.countDown();
        }, "agent-shutdown"));
        stopped.await();
        return 0;
    }

    Map<String, String> withFlags(Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>(environment);
        put(merged, AgentConfig.HOST_ID.env(), hostId);
        put(merged, AgentConfig.PROC_ROOT.env(), procRoot);
        put(merged, AgentConfig.SYS_ROOT.env(), sysRoot);
        put(merged, AgentConfig.SAMPLE_INTERVAL.env(), interval);
        put(merged, AgentConfig.SPOOL_DIR.env(), spoolDir);
        put(merged, AgentConfig.METRICS_PORT.env(), metricsPort);
        put(merged, KafkaSettings.BOOTSTRAP.env(), bootstrap);
        return merged;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
