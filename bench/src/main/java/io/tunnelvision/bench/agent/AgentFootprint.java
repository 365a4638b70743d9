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
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.AgentFootprint \
 *     agent/target/tunnelvision-agent.jar 120 -XX:+UseSerialGC -Xmx24m ...</pre>
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
        ProcGenerator.tree(work.resolve("tree"), 64, 7);
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
        Duration warmup = Duration.ofSeconds(15);
        Thread.sleep(warmup.toMillis());
        long cpuStart = cpuTicks(pid);
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
        System.out.printf("flags: %s%n", flags.isEmpty() ? "(JVM defaults)" : flags);
        System.out.printf("RSS after %ds warm-up over %ds: peak %.1f MB, mean %.1f MB%n", warmup.toSeconds(),
                seconds, peak / 1024.0, sum / 1024.0 / n);
        System.out.printf("CPU: %.2f s per minute = %.3f %% of one core%n", cpuSeconds / minutes,
                cpuSeconds / (minutes * 60) * 100);
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

    /** utime + stime of the process, fields 14 and 15 of /proc/PID/stat (after the parenthesised name). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
