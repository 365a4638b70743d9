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
import java.util.HashMap;
import java.util.List;
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
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
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
 *
 * <p>Given a {@link BrokerSecurity} it is a secure broker instead: a SASL_SSL listener (SCRAM-SHA-512 and PLAIN)
 * at {@link #bootstrapServers()}, an SSL listener that requires a client certificate at
 * {@link #mutualTlsBootstrapServers()} (the principal is the certificate's CN), Kafka's StandardAuthorizer with
 * nothing allowed that no ACL allows, and the controller reachable only with the super user's PLAIN password.
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
    private final int mutualTlsPort;
    private final BrokerSecurity security;
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
        this(dataDir, brokerPort, null);
    }

    /**
     * @param security {@code null} for a broker without security; otherwise see {@link BrokerSecurity}
     */
    public EmbeddedKafka(Path dataDir, int brokerPort, BrokerSecurity security) {
        if (brokerPort < 0 || brokerPort > 65535) {
            throw new IllegalArgumentException("Invalid port " + brokerPort);
        }
        this.ownsDataDir = dataDir == null;
        this.dataDir = ownsDataDir ? LocalServers.createTempDir("tunnelvision-kafka-") : dataDir.toAbsolutePath();
        this.brokerPort = brokerPort == 0 ? LocalServers.freeLoopbackPort() : brokerPort;
        this.controllerPort = LocalServers.freeLoopbackPort();
        this.security = security;
        this.mutualTlsPort = security == null ? 0 : LocalServers.freeLoopbackPort();
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

    /** The listener that takes only clients with a certificate from the CA; throws on a broker without security. */
    public String mutualTlsBootstrapServers() {
        requireSecure();
        return HOST + ":" + mutualTlsPort;
    }

    /**
     * Client properties of the super user over SASL_SSL (bootstrap included), or just the bootstrap on a broker
     * without security: what an admin client of a test needs.
     */
    public Map<String, Object> adminClientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (security != null) {
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            props.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(plainLogin(security.superUser(),
                    security.superUserPassword(), Map.of())));
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, new Password(security.caPem()));
        }
        return props;
    }

    /** Adds (or changes) a SCRAM-SHA-512 user and returns once the broker authenticates it. */
    public void createScramUser(String user, String password) {
        requireSecure();
        try (Admin admin = Admin.create(adminClientProperties())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
                    .all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            // the controller acknowledges before the broker's credential cache has the user
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeUserScramCredentials(List.of(user)).all().get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not known yet: ResourceNotFoundException
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("SCRAM user " + user + " not visible after " + READY_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating SCRAM user " + user, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user + ": " + e.getMessage(), e);
        }
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
        return "EmbeddedKafka[" + bootstrapServers() + (security == null ? "" : " SASL_SSL") + ", " + dataDir + "]";
    }

    private Properties brokerConfig() {
        Properties config = new Properties();
        config.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                // A static voter set: the controller is always this node on this port.
                Map.entry("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
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
        config.putAll(security == null ? plainListeners() : secureListeners(security));
        return config;
    }

    private Map<String, String> plainListeners() {
        return Map.of(
                "listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners", "PLAINTEXT://" + bootstrapServers(),
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "PLAINTEXT");
    }

    /**
     * CLIENTS (SASL_SSL) is also the broker's way to itself (transaction markers), as the super user over PLAIN;
     * the controller takes only that user too, so no listener lets an unauthenticated client in.
     */
    private Map<String, String> secureListeners(BrokerSecurity s) {
        Map<String, String> users = new HashMap<>(s.plainUsers());
        users.put(s.superUser(), s.superUserPassword());
        String superLogin = plainLogin(s.superUser(), s.superUserPassword(), users);
        Map<String, String> config = new HashMap<>(Map.ofEntries(
                Map.entry("listeners", "CLIENTS://" + HOST + ":" + brokerPort + ",MTLS://" + HOST + ":"
                        + mutualTlsPort + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "CLIENTS://" + bootstrapServers() + ",MTLS://" + HOST + ":"
                        + mutualTlsPort),
                Map.entry("listener.security.protocol.map", "CLIENTS:SASL_SSL,MTLS:SSL,CONTROLLER:SASL_PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "CLIENTS"),
                Map.entry("sasl.mechanism.inter.broker.protocol", "PLAIN"),
                Map.entry("sasl.mechanism.controller.protocol", "PLAIN"),
                Map.entry("listener.name.clients.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN"),
                Map.entry("listener.name.clients.plain.sasl.jaas.config", superLogin),
                Map.entry("listener.name.clients.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                Map.entry("listener.name.controller.sasl.enabled.mechanisms", "PLAIN"),
                Map.entry("listener.name.controller.plain.sasl.jaas.config", plainLogin(s.superUser(),
                        s.superUserPassword(), Map.of(s.superUser(), s.superUserPassword()))),
                Map.entry("ssl.keystore.type", "PEM"),
                Map.entry("ssl.keystore.certificate.chain", s.certificateChainPem()),
                Map.entry("ssl.keystore.key", s.privateKeyPem()),
                Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.certificates", s.caPem()),
                Map.entry("listener.name.mtls.ssl.client.auth", "required"),
                // a certificate with CN=agent is the principal User:agent, whatever else its DN says (Java writes
                // the DN in RFC 2253 order, so the CN may come last): one ACL per role, not per certificate
                Map.entry("ssl.principal.mapping.rules", "RULE:^(.*,)?CN=([^,]+)(,.*)?$/$2/,DEFAULT"),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("super.users", "User:" + s.superUser()),
                Map.entry("allow.everyone.if.no.acl.found", "false")));
        return config;
    }

    /** A PLAIN client login; {@code users} adds the server side's {@code user_NAME="password"} entries. */
    private static String plainLogin(String user, String password, Map<String, String> users) {
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=").append(quoted(user)).append(" password=").append(quoted(password));
        users.forEach((name, pw) -> jaas.append(" user_").append(name).append('=').append(quoted(pw)));
        return jaas.append(';').toString();
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private void requireSecure() {
        if (security == null) {
            throw new IllegalStateException(this + " runs without security");
        }
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
        Map<String, Object> adminConfig = adminClientProperties();
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
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
