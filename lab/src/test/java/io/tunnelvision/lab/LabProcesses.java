package io.tunnelvision.lab;

import io.tunnelvision.agent.AgentMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Java child processes started inside a namespace ({@code ip netns exec}), all stopped by {@link #close()}. */
final class LabProcesses implements AutoCloseable {

    private final String classpath;
    private final List<Process> started = new ArrayList<>();

    LabProcesses() {
        // failsafe runs the tests from a manifest-only jar; this property holds the real class path
        String cp = System.getProperty("surefire.test.class.path");
        this.classpath = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Starts {@code mainClass args} in namespace {@code ns}; output goes to {@code log}. */
    synchronized Process start(String ns, String mainClass, List<String> args, Map<String, String> env, Path log,
                               String heap) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, javaBinary(), "-Xmx" + heap,
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-cp", classpath, mainClass));
        argv.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("TUNNELVISION_"));
        builder.environment().putAll(env);
        try {
            Process p = builder.start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass + " in " + ns, e);
        }
    }

    /**
     * Runs the agent's command line in {@code ns} ({@code collect --once --json}, {@code doctor --json}) and answers
     * the JSON it printed: the last line of its output that starts with '{' (its logging goes to the same file).
     * Fails the test when it does not finish in {@code timeoutSeconds}, exits otherwise than {@code exitCode}, or
     * prints no JSON.
     */
    String agentJson(String ns, List<String> args, Map<String, String> env, Path log, int exitCode,
                     long timeoutSeconds) throws InterruptedException, IOException {
        Process p = start(ns, AgentMain.class.getName(), args, env, log, "128m");
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError(args + " did not finish in " + timeoutSeconds + " s: " + tail(log));
        }
        String out = Files.readString(log);
        if (p.exitValue() != exitCode) {
            throw new AssertionError(args + " exited " + p.exitValue() + ", not " + exitCode + ": " + out);
        }
        return out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError(args + " printed no JSON: " + out));
    }

    /** Starts a tool ({@code wireguard-go -f}, {@code openvpn}) in namespace {@code ns}; output goes to {@code log}. */
    synchronized Process startTool(String ns, List<String> command, Path log) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process p = builder.start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + ns, e);
        }
    }

    /** Waits until {@code log} has a line containing {@code marker}; fails early if the process died. */
    static void awaitLine(Process p, Path log, String marker, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (contains(log, marker)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("process exited " + p.exitValue() + " before '" + marker + "'; its log "
                        + log + ":\n" + tail(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + marker + "' in " + log + " after " + timeoutMs + " ms:\n" + tail(log));
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static boolean contains(Path log, String marker) {
        if (!Files.exists(log)) {
            return false;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(log),
                StandardCharsets.UTF_8))) {
            return r.lines().anyMatch(l -> l.contains(marker));
        } catch (IOException e) {
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public synchronized void close() {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }
}
