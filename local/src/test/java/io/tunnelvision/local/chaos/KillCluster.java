package io.tunnelvision.local.chaos;

import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.ApiRuntime;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import io.tunnelvision.local.fleet.Fleet;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.TrustedKeys;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The system as separate processes for the kill suite: the KRaft broker and two or three streams instances (one
 * application id, exactly-once v2 as in production) are child JVMs killed with SIGKILL by PID; the api with its
 * PostgreSQL schema and the simulated fleet (the real agent code: collectors, disk spool, idempotent producer,
 * command reader and executors) run in the test JVM, as the parts that are not killed.
 */
final class KillCluster implements AutoCloseable {

    static final String APP_ID = "kill-streams";
    static final String API_GROUP = "kill-api";
    /** The fleet stage (planner and command gate) reads this one-partition repartition topic. */
    static final String GATE_TOPIC = APP_ID + "-fleet-repartition";
    /** A restarted instance wipes and restores every task's stores first (EOS after a crash): minutes on a busy machine. */
    private static final Duration START_LIMIT = Duration.ofMinutes(5);
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path dir;
    private final int brokerPort;
    private final Topics topics = Topics.standard();
    private final Ed25519Keys.KeyFiles plannerKey;
    private final List<StreamsInstance> streams = new ArrayList<>();
    private ChildJvm broker;
    private int brokerStarts;
    private PostgresEndpoint database;
    private ApiRuntime api;
    private Fleet fleet;

    /** One streams instance: its own state directory (kept across its restarts) and log. */
    static final class StreamsInstance {
        final int index;
        final Path stateDir;
        final Path log;
        ChildJvm process;
        int starts;
        int logFrom;

        StreamsInstance(int index, Path stateDir, Path log) {
            this.index = index;
            this.stateDir = stateDir;
            this.log = log;
        }

        /** Kafka Streams keeps its process id in the state directory, so a restart has the same one. */
        String processId() {
            Path file = stateDir.resolve(APP_ID).resolve("kafka-streams-process-metadata");
            try {
                Matcher m = UUID.matcher(Files.readString(file, StandardCharsets.UTF_8));
                if (!m.find()) {
                    throw new AssertionError("no process id in " + file);
                }
                return m.group();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public String toString() {
            return "streams-" + index;
        }
    }

    KillCluster(Path dir) {
        this.dir = dir;
        this.brokerPort = freePort();
        this.plannerKey = Ed25519Keys.write(Ed25519Keys.generate(), mkdirs(dir.resolve("keys")), "planner");
    }

    String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    Topics topics() {
        return topics;
    }

    PostgresEndpoint database() {
        return database;
    }

    List<StreamsInstance> streams() {
        return streams;
    }

    Fleet fleet() {
        return fleet;
    }

    // --- broker -------------------------------------------------------------------------------------------------

    void startBroker() throws InterruptedException {
        Path log = dir.resolve("broker.log");
        int from = lines(log);
        broker = ChildJvm.start("broker", "768m", log, Map.of(), BrokerMain.class.getName(),
                dir.resolve("kafka").toString(), Integer.toString(brokerPort));
        brokerStarts++;
        broker.awaitLine(BrokerMain.READY, from, START_LIMIT);
        if (brokerStarts == 1) {
            try (Admin admin = admin()) {
                new TopicCreator(admin).ensure(topics.all());
            }
        }
    }

    void killBroker() throws IOException, InterruptedException {
        broker.kill();
    }

    // --- api and PostgreSQL --------------------------------------------------------------------------------------

    void startApi() throws InterruptedException {
        database = SharedPostgres.get().newSchema("kill");
        Map<String, String> vars = new HashMap<>();
        vars.put(KafkaSettings.BOOTSTRAP.env(), bootstrap());
        vars.put(KafkaRoles.API_CONSUMER_GROUP.env(), API_GROUP);
        vars.put(ApiConfig.DB_URL.env(), database.jdbcUrl());
        vars.put(ApiConfig.DB_USER.env(), database.user());
        vars.put(ApiConfig.DB_PASSWORD.env(), database.password());
        vars.put(ApiConfig.HTTP_PORT.env(), Integer.toString(freePort()));
        vars.put(ApiConfig.HTTP_HOST.env(), "127.0.0.1");
        api = ApiRuntime.start(new ApiConfig(new Env(vars)));
    }

    // --- streams -------------------------------------------------------------------------------------------------

    StreamsInstance addStreams() {
        int index = streams.size();
        StreamsInstance instance = new StreamsInstance(index, mkdirs(dir.resolve("streams-" + index)),
                dir.resolve("streams-" + index + ".log"));
        streams.add(instance);
        return instance;
    }

    /** Starts the instance (again, on its state directory) and waits until it logs RUNNING. */
    void startStreams(StreamsInstance instance) throws InterruptedException {
        restartStreams(instance);
        awaitRunning(instance);
    }

    /** Starts the instance (again, on its state directory) without waiting for it. */
    void restartStreams(StreamsInstance instance) {
        instance.logFrom = lines(instance.log);
        Map<String, String> env = new HashMap<>();
        env.put(KafkaSettings.BOOTSTRAP.env(), bootstrap());
        env.put(StreamsAppConfig.APPLICATION_ID.env(), APP_ID);
        env.put(StreamsAppConfig.STATE_DIR.env(), instance.stateDir.toString());
        env.put(StreamsAppConfig.PLANNER_MODE.env(), "auto");
        // the local system's limit: every fault of the run may have a command in flight at once
        env.put(StreamsAppConfig.MAX_UNVERIFIED.env(), "50");
        env.put(StreamsAppConfig.SIGNING_KEY_FILE.env(), plannerKey.privateKey().toString());
        // instances share the machine: each serves /metrics and /health on a port of its own, on loopback only
        env.put(StreamsAppConfig.HTTP_BIND.env(), "127.0.0.1");
        env.put(StreamsAppConfig.HTTP_PORT.env(), Integer.toString(freePort()));
        instance.process = ChildJvm.start(instance.toString(), "384m", instance.log, env,
                "io.tunnelvision.streams.StreamsMain");
        instance.starts++;
    }

    /** Waits until the instance's current run has logged RUNNING once. */
    void awaitRunning(StreamsInstance instance) throws InterruptedException {
        instance.process.awaitLine("-> RUNNING", instance.logFrom, START_LIMIT);
    }

    void killStreams(StreamsInstance instance) throws IOException, InterruptedException {
        instance.process.kill();
    }

    /**
     * The live instance whose consumer holds the gate's partition, from the consumer group's assignment: its
     * client id carries the process id the instance keeps in its state directory.
     */
    StreamsInstance gateOwner() throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        TopicPartition gate = new TopicPartition(GATE_TOPIC, 0);
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(APP_ID)).all()
                        .get(30, TimeUnit.SECONDS).get(APP_ID);
                for (MemberDescription member : group.members()) {
                    if (member.assignment().topicPartitions().contains(gate)) {
                        for (StreamsInstance instance : streams) {
                            if (instance.process != null && instance.process.isAlive()
                                    && member.clientId().contains(instance.processId())) {
                                return instance;
                            }
                        }
                    }
                }
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no live streams instance owns " + gate + " after " + START_LIMIT.toSeconds() + " s");
    }

    // --- fleet ---------------------------------------------------------------------------------------------------

    void startFleet(Scenario scenario) {
        fleet = Fleet.start(scenario, new Fleet.Settings(dir.resolve("fleet"), bootstrap(),
                KafkaSecurity.none().clientProperties(), topics, TrustedKeys.fromDirectory(dir.resolve("keys")), 2));
    }

    /**
     * Stops the load once the fleet's spool has sent everything; returns how many rounds every gateway sampled
     * (sequences 0 to rounds - 1).
     */
    long stopFleet() throws InterruptedException {
        if (!fleet.stopSampling(Duration.ofMinutes(3))) {
            throw new AssertionError("the fleet's spool still holds " + fleet.stats().spooled()
                    + " records 3 minutes after the load ended");
        }
        long rounds = fleet.stats().ticks();
        fleet.close();
        return rounds;
    }

    // --- the quiet end -------------------------------------------------------------------------------------------

    /**
     * Waits until the streams app and the api have read everything (each partition of the topics they read at its
     * end, or one short of it: a transaction's closing marker) and their committed offsets stayed put for two
     * checks in a row. A partition without a committed offset counts from 0, so a group that has read nothing yet
     * is not quiet.
     */
    Duration awaitQuiet(Duration limit) throws Exception {
        List<String> streamsInput = List.of(topics.softnetSamples.name(), topics.interruptSamples.name(),
                GATE_TOPIC);
        List<String> apiInput = List.of(topics.softnetRates.name(), topics.interruptRates.name(),
                topics.hotspots.name(), topics.commands.name());
        long begin = System.nanoTime();
        long deadline = begin + limit.toNanos();
        String last = "";
        int still = 0;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                String now = position(admin, APP_ID, streamsInput) + " | " + position(admin, API_GROUP, apiInput);
                if (!now.contains("lagging") && now.equals(last)) {
                    if (++still >= 2) {
                        return Duration.ofNanos(System.nanoTime() - begin);
                    }
                } else {
                    still = 0;
                }
                last = now;
                Thread.sleep(3_000);
            }
        }
        throw new AssertionError("not quiet after " + limit.toSeconds() + " s: " + last + "\n" + logs());
    }

    private static String position(Admin admin, String group, List<String> input) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(input).allTopicNames().get(30, TimeUnit.SECONDS).values().forEach(d ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()),
                        OffsetSpec.latest())));
        var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(30, TimeUnit.SECONDS);
        long sum = 0;
        long lagging = 0;
        for (TopicPartition p : latest.keySet()) {
            OffsetAndMetadata at = committed.get(p);
            long offset = at == null ? 0 : at.offset();
            sum += offset;
            if (ends.get(p).offset() - offset > 1) {
                lagging++;
            }
        }
        return group + " at " + sum + (lagging > 0 ? " lagging on " + lagging + " partition(s)" : "");
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    @Override
    public void close() throws Exception {
        if (fleet != null) {
            try {
                fleet.close();
            } catch (RuntimeException e) {
                // already closed by stopFleet
            }
        }
        if (api != null) {
            api.close();
        }
        for (StreamsInstance instance : streams) {
            if (instance.process != null) {
                instance.process.close();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    String logs() {
        StringBuilder out = new StringBuilder();
        for (StreamsInstance instance : streams) {
            if (instance.process != null) {
                out.append("--- ").append(instance).append(" (").append(instance.log).append(")\n")
                        .append(instance.process.tail()).append('\n');
            }
        }
        if (broker != null) {
            out.append("--- broker\n").append(broker.tail()).append('\n');
        }
        return out.toString();
    }

    private static int lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A free port below the kernel's ephemeral range (32768 and up by default): the broker must get its port back
     * after a kill, and the api binds its port some time after it was picked, while every client connection of
     * every process on the machine takes its local port from the ephemeral range and could take a port picked
     * there.
     */
    private static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }
}
