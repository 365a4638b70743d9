package io.tunnelvision.bench.agent;

import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Measures the agent process as operators would run it: `run` at 1 Hz on a generated 64-CPU gateway tree,
 * publishing to a real broker (in this JVM). Prints resident memory (VmRSS, peak and mean after warm-up) and CPU
 * time per minute of wall time, read from /proc/PID.
 *
 * <pre>java [-Dfootprint.warmup=60] [-Dfootprint.cpus=64] -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.AgentFootprint \
 *     agent/target/tunnelvision-agent.jar 120 -XX:+UseSerialGC -Xmx24m ...</pre>
 *
 * The agent inherits this process's environment, so {@code MALLOC_ARENA_MAX=2 java ...} measures it with that
 * setting. It also prints where the resident memory is (anonymous or file-backed), which threads took the CPU,
 * and with {@code -XX:NativeMemoryTracking=summary} among the flags, the JVM's own account of its memory.
 */
public final class AgentFootprint {

    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    private AgentFootprint() {
    }

    public static void main(String[] args) throws Exception {
        Path agentJar = Path.of(args.length > 0 ? args[0] : "agent/target/tunnelvision-agent.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        List<String> jvmFlags = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        Path work = Files.createTempDirectory("tv-footprint");
        int cpus = Integer.getInteger("footprint.cpus", 64);
        ProcGenerator.tree(work.resolve("tree"), cpus, 7);
        System.out.printf("tree: %d CPUs, /proc/interrupts %d bytes%n", cpus,
                Files.size(work.resolve("tree/proc/interrupts")));
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                new TopicCreator(admin).ensure(Topics.standard().all());
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmFlags);
            command.addAll(List.of("-jar", agentJar.toString(), "run", "--host-id", "bench-gw",
                    "--proc-root", work.resolve("tree/proc").toString(),
                    "--sys-root", work.resolve("tree/sys").toString(),
                    "--spool-dir", work.resolve("spool").toString(), "--interval", "1s",
                    "--metrics-port", Integer.toString(freePort()), "--bootstrap", kafka.bootstrapServers()));
            Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("agent.log").toFile()).start();
            try {
                measure(agent.pid(), seconds, String.join(" ", jvmFlags));
            } finally {
                agent.destroy();
                agent.waitFor();
            }
            System.out.println("agent log: " + work.resolve("agent.log"));
        }
    }

    private static void measure(long pid, int seconds, String flags) throws IOException, InterruptedException {
        // Long enough for the JIT to have compiled the steady-state paths; -Dfootprint.warmup=60 for steady state.
        Duration warmup = Duration.ofSeconds(Long.getLong("footprint.warmup", 15));
        Thread.sleep(warmup.toMillis());
        long cpuStart = cpuTicks(pid);
        Map<String, Long> threadsStart = threadTicks(pid);
        long start = System.nanoTime();
        long peak = 0;
        long sum = 0;
        int n = 0;
        for (int i = 0; i < seconds; i++) {
            Thread.sleep(1000);
            long rss = rssKb(pid);
            peak = Math.max(peak, rss);
            sum += rss;
            n++;
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        double cpuSeconds = (cpuTicks(pid) - cpuStart) / (double) CLOCK_TICKS;
        Map<String, Long> threadsEnd = threadTicks(pid);
        System.out.printf("flags: %s%n", flags.isEmpty() ? "(JVM defaults)" : flags);
        System.out.printf("RSS after %ds warm-up over %ds: peak %.1f MB, mean %.1f MB%n", warmup.toSeconds(),
                seconds, peak / 1024.0, sum / 1024.0 / n);
        System.out.printf("CPU: %.2f s per minute = %.3f %% of one core%n", cpuSeconds / minutes,
                cpuSeconds / (minutes * 60) * 100);
        // Where the resident memory is: anonymous (heap, metaspace, malloc, stacks) versus file-backed
        // (libjvm.so, the CDS archive, jars), which another JVM on the host could share.
        Map<String, Long> status = kbFields(Path.of("/proc", Long.toString(pid), "status"));
        System.out.printf("at the end: VmRSS %.1f MB = anon %.1f + file %.1f + shmem %.1f; %d threads%n",
                status.getOrDefault("VmRSS", 0L) / 1024.0, status.getOrDefault("RssAnon", 0L) / 1024.0,
                status.getOrDefault("RssFile", 0L) / 1024.0, status.getOrDefault("RssShmem", 0L) / 1024.0,
                status.getOrDefault("Threads", 0L));
        // Which threads the CPU went to (JVM threads share names such as "C1 CompilerThre"; summed by name).
        Map<String, Long> byName = new java.util.TreeMap<>();
        threadsEnd.forEach((key, ticks) -> byName.merge(key.substring(key.indexOf(' ') + 1),
                ticks - threadsStart.getOrDefault(key, 0L), Long::sum));
        StringBuilder top = new StringBuilder("CPU by thread (s/min):");
        byName.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> top.append(String.format(" %s=%.2f", e.getKey(),
                        e.getValue() / (double) CLOCK_TICKS / minutes)));
        System.out.println(top);
        if (flags.contains("NativeMemoryTracking")) {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
            System.out.println(new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            jcmd.waitFor();
        }
    }

    /** The numeric fields of a /proc "Name:   123 kB" file, in kB (or plain counts such as Threads). */
    private static Map<String, Long> kbFields(Path file) throws IOException {
        Map<String, Long> fields = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] value = line.substring(colon + 1).trim().split("\\s+");
            if (value.length > 0 && value[0].matches("\\d+")) {
                fields.put(line.substring(0, colon), Long.parseLong(value[0]));
            }
        }
        return fields;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** utime + stime of each thread, keyed by "tid name". */
    private static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> ticks = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(task.getFileName() + " " + name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    /** utime + stime of the process, fields 14 and 15 of /proc/PID/stat (after the parenthesised name). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
