package io.tunnelvision.local.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A part of the system (broker, streams instance) as a JVM of its own, configured by its arguments and
 * environment variables only, its output appended to one log. {@link #kill()} is SIGKILL by PID: no shutdown hook
 * runs, nothing is flushed that was not already, as with the OOM killer or a power cut of one process.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(String name, String heap, Path log, Map<String, String> env, String mainClass,
                          String... args) {
        // failsafe runs the tests from a manifest-only jar; this property holds the real class path
        String cp = System.getProperty("surefire.test.class.path");
        String classpath = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("TUNNELVISION_"));
        builder.environment().putAll(env);
        try {
            return new ChildJvm(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL by PID, and proof that it was the signal that ended the process. */
    void kill() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0 || !process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("could not kill " + name + " (pid " + process.pid() + ")");
        }
        if (process.exitValue() != 128 + 9) {
            throw new AssertionError(name + " (pid " + process.pid() + ") ended with " + process.exitValue()
                    + ", not by SIGKILL:\n" + tail());
        }
    }

    /** Waits for a line containing {@code marker} after the first {@code from} lines; fails if the process died. */
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
                throw new AssertionError(name + " exited " + process.exitValue() + " before '" + marker + "':\n"
                        + tail());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + marker + "' in " + log + " after " + timeout.toSeconds() + " s:\n"
                + tail());
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
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
