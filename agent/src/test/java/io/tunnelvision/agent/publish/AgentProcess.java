package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.AgentMain;
import io.tunnelvision.agent.cli.RunCommand;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A real agent ({@code run}) as a child JVM over the live-host fixture tree, with its spool in a directory of the
 * test; killed by PID. Its /metrics are how the test sees the spool.
 */
final class AgentProcess {

    static final Path TREE = Path.of("src/test/resources/fixtures/live-host").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int metricsPort;
    private final Path log;

    private AgentProcess(Process process, int metricsPort, Path log) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.log = log;
    }

    static AgentProcess start(Path dir, String name, String bootstrap, String namespace, Map<String, String> extra)
            throws IOException {
        int port = freePort();
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(SpoolProcesses.java(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", SpoolProcesses.classpath(), AgentMain.class.getName(), "run")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TUNNELVISION_"));
        Map<String, String> env = new HashMap<>(Map.of(
                "TUNNELVISION_AGENT_HOST_ID", "gw-spool",
                "TUNNELVISION_AGENT_PROC_ROOT", TREE.resolve("proc").toString(),
                "TUNNELVISION_AGENT_SYS_ROOT", TREE.resolve("sys").toString(),
                "TUNNELVISION_AGENT_SPOOL_DIR", dir.resolve("spool").toString(),
                "TUNNELVISION_AGENT_STATE_DIR", dir.resolve("executor").toString(),
                "TUNNELVISION_AGENT_TRUSTED_KEYS_DIR", dir.resolve("no-keys").toString(),
                "TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap,
                "TUNNELVISION_TOPIC_NAMESPACE", namespace,
                "TUNNELVISION_AGENT_METRICS_PORT", Integer.toString(port)));
        env.putAll(extra);
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), port, log);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void kill() throws Exception {
        SpoolProcesses.kill(process.pid());
    }

    void terminate() throws Exception {
        SpoolProcesses.terminate(process.pid());
    }

    void destroy() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** One sample of a metric without labels, waiting up to a minute for the endpoint to answer. */
    double metric(String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertTrue(process.isAlive(), "the agent exited: " + Files.readString(log));
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                for (String line : response.body().split("\n")) {
                    if (line.startsWith(name + " ")) {
                        return Double.parseDouble(line.substring(name.length() + 1).trim());
                    }
                }
                throw new AssertionError("no " + name + " in " + response.body());
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "no metrics after 60 s: " + Files.readString(log));
                Thread.sleep(200);
            }
        }
    }

    /** Waits until {@code name} is at least {@code value}. */
    void awaitMetricAtLeast(String name, double value, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        double now;
        while ((now = metric(name)) < value) {
            assertTrue(System.nanoTime() < deadline, name + " is " + now + ", not yet " + value);
            Thread.sleep(200);
        }
    }

    /**
     * The sample topics the agent writes every round (the path-MTU collector answers an empty sample on a tree that
     * is not /proc): every round's sequence is on each of them.
     */
    static List<Topic<String, ? extends SpecificRecord>> everyRoundTopics(Topics topics) {
        return List.of(topics.interruptSamples, topics.softnetSamples, topics.linkSamples,
                topics.interfaceConfigSamples, topics.kernelSettingsSamples, topics.wireguardSamples,
                topics.pmtuSamples);
    }

    /**
     * The sample topics the agent writes only every so many rounds (and in the round after a command), each with
     * that many rounds: no two of their consecutive samples are further apart (the NIC collector: its counters'
     * period; its samples are empty on a tree that is not /proc).
     */
    static Map<Topic<String, ? extends SpecificRecord>, Integer> slowerTopics(Topics topics) {
        Map<Topic<String, ? extends SpecificRecord>, Integer> slower = new LinkedHashMap<>();
        slower.put(topics.qdiscSamples, RunCommand.QDISC_EVERY_ROUNDS);
        slower.put(topics.nicSamples, io.tunnelvision.agent.collect.NicCadence.AGENT.countersEvery());
        return slower;
    }

    /**
     * Every sample topic of the registry (a name {@code ...samples-...}), written or not: the probes' latency
     * samples need peers, so this agent writes none, and the topic is read all the same. Fails when a sample topic
     * is neither in {@link #everyRoundTopics} nor in {@link #slowerTopics}, so that a new one is classified.
     */
    @SuppressWarnings("unchecked")
    static List<Topic<String, ? extends SpecificRecord>> sampleTopics(Topics topics) {
        List<Topic<String, ? extends SpecificRecord>> all = new ArrayList<>();
        for (Topic<?, ?> topic : topics.all()) {
            if (topic.name().contains("tunnelvision-samples-")) {
                all.add((Topic<String, ? extends SpecificRecord>) topic);
            }
        }
        Set<String> classified = new HashSet<>();
        everyRoundTopics(topics).forEach(t -> classified.add(t.name()));
        slowerTopics(topics).keySet().forEach(t -> classified.add(t.name()));
        classified.add(topics.latencySamples.name());
        Set<String> names = new HashSet<>();
        all.forEach(t -> names.add(t.name()));
        assertEquals(classified, names, "every sample topic is either written every round or every so many rounds");
        return all;
    }

    /** Each record of the topic as (boot id, sequence), in offset order. */
    static List<SampleHeader> headers(String bootstrap, Topic<String, ? extends SpecificRecord> topic) {
        Deserializer<? extends SpecificRecord> values = topic.valueSerde().deserializer();
        List<SampleHeader> out = new ArrayList<>();
        for (byte[] value : SpoolProcesses.readValues(bootstrap, topic.name())) {
            out.add((SampleHeader) values.deserialize(topic.name(), value).get(0));
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
