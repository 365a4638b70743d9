package io.tunnelvision.local.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real agent ({@code tunnelvision-agent run}) as a JVM of its own, configured by environment variables only,
 * its output appended to one log; killed with SIGKILL by PID, as the kernel's OOM killer or a power cut would.
 */
final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static AgentProcess start(Map<String, String> env, Path log) {
        // failsafe runs the tests from a manifest-only jar; this property holds the real class path
        String cp = System.getProperty("surefire.test.class.path");
        String classpath = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "io.tunnelvision.agent.AgentMain", "run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("TUNNELVISION_"));
        builder.environment().putAll(env);
        try {
            return new AgentProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent", e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL by PID: no shutdown hook runs, nothing is flushed that was not already. */
    void kill() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0 || !process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("could not kill the agent " + process.pid());
        }
        if (process.exitValue() != 128 + 9) {
            throw new AssertionError("the agent " + process.pid() + " ended with " + process.exitValue()
                    + ", not by SIGKILL");
        }
    }

    /** Waits until the log has a line containing {@code marker} after {@code from} lines; fails if the agent died. */
    String awaitLine(String marker, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = lines();
            for (String line : lines.subList(Math.min(from, lines.size()), lines.size())) {
                if (line.contains(marker)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited " + process.exitValue() + " before '" + marker + "':\n"
                        + tail());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + marker + "' in " + log + " after " + timeout.toSeconds() + " s:\n" + tail());
    }

    List<String> lines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String tail() {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
