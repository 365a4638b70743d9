package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Child processes of the spool's fault tests, and what they leave behind: acks, stats, the topic. */
final class SpoolProcesses {

    private SpoolProcesses() {
    }

    static void requireRoot(String why) throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        id.waitFor();
        if (!uid.equals("0")) {
            fail(why + ": run the integration tests as root (CI does); uid is " + uid);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    /** Waits for a pid file a script writes when it starts a child. */
    static long awaitPid(Path file, Process parent, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file) || Files.readString(file).isBlank()) {
            if (!parent.isAlive() || System.nanoTime() > deadline) {
                fail("no " + file.getFileName() + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(file).trim());
    }

    /** SIGTERM, then waits for the process to end. */
    static void terminate(long pid) throws Exception {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return;
        }
        handle.get().destroy();
        handle.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** SIGKILL, then waits for the process to end. */
    static void kill(long pid) throws Exception {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            fail("process " + pid + " is gone before it could be killed");
        }
        handle.get().destroyForcibly();
        handle.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    static Map<String, Long> stats(Path file) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String field : Files.readString(file).trim().split(" ")) {
            String[] kv = field.split("=");
            if (!kv[0].equals("state")) {
                out.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return out;
    }

    static void awaitStat(Path file, String name, long value, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(file) && stats(file).get(name) == value) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, name + " never reached " + value + ": "
                    + (Files.exists(file) ? Files.readString(file) : "no stats"));
            Thread.sleep(100);
        }
    }

    /** The record numbers on the topic ({@link SpoolDriver#value}), in offset order. */
    static List<Long> readNumbers(String bootstrap, String topic) {
        List<Long> numbers = new ArrayList<>();
        for (byte[] value : readValues(bootstrap, topic)) {
            String text = new String(value, StandardCharsets.US_ASCII);
            numbers.add(Long.parseLong(text.substring(0, text.indexOf(';'))));
        }
        return numbers;
    }

    static List<byte[]> readValues(String bootstrap, String topic) {
        List<byte[]> values = new ArrayList<>();
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    /** The acks file of {@link SpoolDriver}s: which numbers the spool took, which it refused. */
    static final class AckLog {
        private final Path file;

        AckLog(Path file) {
            this.file = file;
        }

        private List<String> lines() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
        }

        Set<Long> taken() throws IOException {
            return numbers("A ");
        }

        Set<Long> refused() throws IOException {
            return numbers("R ");
        }

        long lastNumber() throws IOException {
            List<String> lines = lines();
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1).substring(2));
        }

        private Set<Long> numbers(String prefix) throws IOException {
            Set<Long> out = new TreeSet<>();
            for (String line : lines()) {
                if (line.startsWith(prefix)) {
                    out.add(Long.parseLong(line.substring(2)));
                }
            }
            return out;
        }

        void awaitTakenAtLeast(int n, Process alive, Path dir) throws Exception {
            await(() -> taken().size() >= n, "taken >= " + n, alive, dir);
        }

        void awaitRefusedAtLeast(int n, Process alive, Path dir) throws Exception {
            await(() -> refused().size() >= n, "refused >= " + n, alive, dir);
        }

        private void await(IoCondition condition, String what, Process alive, Path dir) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!condition.holds()) {
                if (!alive.isAlive() || System.nanoTime() > deadline) {
                    fail("waiting for " + what + " (taken " + taken().size() + ", refused " + refused().size()
                            + "): " + Files.readString(dir.resolve("driver.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    private interface IoCondition {
        boolean holds() throws IOException;
    }
}
