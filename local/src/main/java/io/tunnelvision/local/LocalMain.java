package io.tunnelvision.local;

import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.local.scenario.ScenarioException;
import io.tunnelvision.local.scenario.ScenarioParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tunnelvision demo}: the whole system with a simulated fleet, until Ctrl-C. Options:
 * {@code --gateways N}, {@code --scenario FILE}, {@code --data-dir DIR}, {@code --port PORT}, {@code --workers N}.
 */
public final class LocalMain {

    static final String DEFAULT_SCENARIO = "/io/tunnelvision/local/scenario/default.yaml";
    static final String USAGE = """
            usage: tunnelvision demo [--gateways N] [--scenario FILE] [--data-dir DIR] [--port PORT] [--workers N]
              --gateways N     simulated gateways (default: the scenario's, 50 in the default scenario)
              --scenario FILE  a scenario file (format: local/README.md); default: the built-in one
              --data-dir DIR   where everything is kept; a second run with the same directory resumes
                               (default: tunnelvision-data)
              --port PORT      HTTP port of the api and dashboard (default 8080; 0 picks a free one)
              --workers N      threads stepping the simulated gateways (default 2)""";

    private LocalMain() {
    }

    /** What the command line asked for. */
    record Args(Scenario scenario, Path dataDir, int port, int workers) {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        Args parsed;
        try {
            parsed = parse(args);
        } catch (IllegalArgumentException | ScenarioException e) {
            System.err.println("tunnelvision demo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        logToFile(parsed.dataDir());
        LocalSystem system = start(parsed, System.out, System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping...");
            system.close();
            System.out.println("stopped; data kept in " + parsed.dataDir().toAbsolutePath());
            stopped.countDown();
        }, "demo-shutdown"));
        stopped.await();
    }

    /** Before any logger exists: the log goes to {@code <data dir>/tunnelvision.log}, not over the progress lines. */
    private static void logToFile(Path dataDir) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("tunnelvision.log.file", dataDir.resolve("tunnelvision.log").toAbsolutePath().toString());
            System.setProperty("logback.configurationFile", "tunnelvision-demo-logback.xml");
        }
        System.out.println("Starting Tunnelvision (log: " + dataDir.resolve("tunnelvision.log") + ")");
    }

    /** Starts the system and prints where to find it. */
    static LocalSystem start(Args args, PrintStream out, Map<String, String> environment) {
        LocalSystem system = LocalSystem.start(new LocalSystem.Options(args.dataDir(), args.scenario(), args.port(),
                args.workers(), Map.of(), environment), step -> out.println("  " + step));
        out.println();
        out.println("Tunnelvision is running with " + system.fleet().size() + " simulated gateways.");
        out.println("  API:       " + system.apiUrl());
        out.println("  Dashboard: " + system.dashboardUrl());
        out.println("  Token:     " + system.token() + "   (operator; send as 'Authorization: Bearer <token>')");
        out.println("  Try:       curl -H 'Authorization: Bearer " + system.token() + "' " + system.apiUrl()
                + "hotspots");
        out.println("Press Ctrl-C to stop; the data stays in " + args.dataDir().toAbsolutePath() + ".");
        return system;
    }

    static Args parse(String[] args) {
        Path scenarioFile = null;
        Integer gateways = null;
        Path dataDir = Path.of("tunnelvision-data");
        int port = 8080;
        int workers = 2;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--gateways" -> gateways = number(flag, value, 1, 1_000_000);
                case "--scenario" -> scenarioFile = Path.of(value);
                case "--data-dir" -> dataDir = Path.of(value);
                case "--port" -> port = number(flag, value, 0, 65535);
                case "--workers" -> workers = number(flag, value, 1, 64);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        Scenario scenario = scenarioFile == null ? defaultScenario() : read(scenarioFile);
        if (gateways != null) {
            scenario = scenario.withGateways(gateways);
        }
        return new Args(scenario, dataDir, port, workers);
    }

    static Scenario defaultScenario() {
        try (InputStream in = LocalMain.class.getResourceAsStream(DEFAULT_SCENARIO)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_SCENARIO + " is missing from the jar");
            }
            return ScenarioParser.parse("default scenario", new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_SCENARIO, e);
        }
    }

    private static Scenario read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return ScenarioParser.parse(file.toString(), reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the scenario " + file + ": " + e.getMessage(), e);
        }
    }

    private static int number(String flag, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " must be " + min + " to " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, not '" + value + "'");
        }
    }
}
