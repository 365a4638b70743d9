package io.tunnelvision.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) inside this JVM.
 *
 * <p>Tests that need to take the broker away and bring it back use their own instance:
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
 *     ...
 *     kafka.stop();   // clients now see a dead broker
 *     kafka.start();  // same ports, same data
 * }
 * }</pre>
 * Tests that just need "a broker" use {@code SharedKafka.get()} instead.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final Thread exitHook;

    private KafkaRaftServer server;
    private Duration lastStartDuration = Duration.ZERO;
    private boolean closed;

    /** A broker on random ports, with its data in a temporary directory deleted on {@link #close()}. */
    public EmbeddedKafka() {
        this(null, 0);
    }

    /** A broker on random ports keeping its data in {@code dataDir}, which survives {@link #close()}. */
    public EmbeddedKafka(Path dataDir) {
        this(Objects.requireNonNull(dataDir, "dataDir"), 0);
    }

    /**
     * @param dataDir    where the log lives (kept on close); {@code null} for a temporary one
     * @param brokerPort the client port on 127.0.0.1; 0 picks a free one
     */
    public EmbeddedKafka(Path dataDir, int brokerPort) {
        if (brokerPort < 0 || brokerPort > 65535) {
            throw new IllegalArgumentException("Invalid port " + brokerPort);
        }
        this.ownsDataDir = dataDir == null;
        this.dataDir = ownsDataDir ? LocalServers.createTempDir("tunnelvision-kafka-") : dataDir.toAbsolutePath();
        this.brokerPort = brokerPort == 0 ? LocalServers.freeLoopbackPort() : brokerPort;
        this.controllerPort = LocalServers.freeLoopbackPort();
        this.exitHook = LocalServers.closeOnExit("embedded-kafka", this);
    }

    /**
     * Starts the broker, formatting the data directory first if it has never been formatted, and
     * returns once clients can use it. Does nothing if it is running.
     */
    public synchronized EmbeddedKafka start() {
        if (closed) {
            throw new IllegalStateException("Closed: " + this);
        }
        if (server != null) {
            return this;
        }
        long begin = System.nanoTime();
        Properties config = brokerConfig();
        // An existing meta.properties means this directory already holds a cluster: keep its data.
        boolean format = !Files.exists(dataDir.resolve("meta.properties"));
        if (format) {
            format(config);
        }
        KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            started.startup();
            awaitReady();
        } catch (RuntimeException e) {
            shutdown(started);
            throw new IllegalStateException("Kafka broker did not start: " + this, e);
        }
        server = started;
        lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
        LOG.info("Kafka broker ready at {} in {} ms ({} {})", bootstrapServers(), lastStartDuration.toMillis(),
                format ? "formatted" : "reused", dataDir);
        return this;
    }

    /** Shuts the broker down cleanly and waits for it; {@link #start()} brings it back. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long begin = System.nanoTime();
        shutdown(server);
        server = null;
        LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /** Stops the broker and deletes its data directory if this object created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsDataDir) {
                LocalServers.deleteRecursively(dataDir);
            }
            LocalServers.forgetOnExit(exitHook);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** How long the last {@link #start()} took, formatting and readiness wait included. */
    public synchronized Duration lastStartDuration() {
        return lastStartDuration;
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + "]";
    }

    private Properties brokerConfig() {
        Properties config = new Properties();
        config.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                // A static voter set: the controller is always this node on this port.
                Map.entry("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://" + bootstrapServers()),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", dataDir.toString()),
                // The project creates its topics explicitly; a typo must not create a topic silently.
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("num.partitions", "1"),
                // Internal topics default to 3 replicas, which one broker can never satisfy. One
                // partition each, because creating 50 costs seconds on the first group or transaction.
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // The default 128 MB cleaner buffer alone would not fit the small test heaps.
                Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024))));
        return config;
    }

    /** Does what {@code kafka-storage.sh format} does, with a fresh cluster id. */
    private void format(Properties config) {
        Path configFile = null;
        try {
            configFile = Files.createTempFile("tunnelvision-kafka-", ".properties");
            try (Writer writer = Files.newBufferedWriter(configFile, UTF_8)) {
                config.store(writer, null);
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exitCode = StorageTool.execute(new String[] {
                "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", configFile.toString()
            }, new PrintStream(output, true, UTF_8));
            if (exitCode != 0) {
                throw new IllegalStateException("Formatting " + dataDir + " failed: " + output.toString(UTF_8));
            }
            LOG.debug("Formatted {}: {}", dataDir, output.toString(UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format " + dataDir, e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}", configFile, e);
                }
            }
        }
    }

    /**
     * {@code startup()} returns before the broker has registered with its controller and been
     * unfenced; until then clients get no usable metadata. A non-empty cluster description means
     * the broker serves requests.
     */
    private void awaitReady() {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception lastFailure = null;
        try (Admin admin = Admin.create(adminConfig)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastFailure = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + this, e);
        }
        throw new IllegalStateException("Broker not ready after " + READY_TIMEOUT.toSeconds() + " s", lastFailure);
    }

    private static void shutdown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }
}
