package io.tunnelvision.local.chaos;

import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.local.scenario.ScenarioParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The load of the kill suite: a fleet of small simulated gateways (4 CPUs, a sample every 2 s, so that a round
 * that runs late on a busy machine changes the rates little) where every eighth gets one of six faults a command
 * answers, their starts spread over the run so that commands are being planned
 * while processes die. The long versions run with {@code -Dtunnelvision.long=true} (Maven profile {@code long}).
 */
final class KillLoad {

    /** The suite's long versions: more gateways, longer load, repeated kills. */
    static final boolean LONG = Boolean.getBoolean("tunnelvision.long");

    /** fault, its parameters, the gateway shape it needs. */
    private static final String[][] FAULTS = {
        {"tx-drops", ", burst: 20", "{cpus: 4, kind: tun}"},
        {"softnet-squeeze", ", burst: 22", "{cpus: 4, kind: vxlan}"},
        {"backlog-drops", ", burst: 75", "{cpus: 4, kind: vxlan}"},
        {"udp-buffer-errors", ", pressure: 8", "{cpus: 4, kind: vxlan}"},
        {"mtu-mismatch", "", "{cpus: 4, kind: vxlan}"},
        {"irq-storm", ", cpu: 0, factor: 4", "{cpus: 8, kind: wireguard, rxQueues: 4}"},
    };
    private static final String[] KINDS = {"tun", "wireguard", "vxlan"};

    private final Scenario scenario;
    private final List<String> faulted;

    private KillLoad(Scenario scenario, List<String> faulted) {
        this.scenario = scenario;
        this.faulted = List.copyOf(faulted);
    }

    /**
     * @param firstFault when the first fault starts; the others follow evenly until {@code lastFault}
     */
    static KillLoad of(String name, int gateways, Duration firstFault, Duration lastFault) {
        StringBuilder hosts = new StringBuilder();
        StringBuilder faults = new StringBuilder();
        List<String> faulted = new ArrayList<>();
        int faultCount = (gateways + 7) / 8;
        for (int i = 0; i < gateways; i++) {
            String host = String.format("gw-k-%03d", i);
            if (i % 8 == 0) {
                int n = faulted.size();
                String[] fault = FAULTS[n % FAULTS.length];
                long start = firstFault.toMillis() + (faultCount < 2 ? 0
                        : (lastFault.toMillis() - firstFault.toMillis()) * n / (faultCount - 1));
                hosts.append("  ").append(host).append(": ").append(fault[2]).append('\n');
                faults.append("  - {fault: ").append(fault[0]).append(", hosts: [").append(host).append("], start: ")
                        .append(start).append("ms").append(fault[1]).append("}\n");
                faulted.add(host);
            } else {
                hosts.append("  ").append(host).append(": {cpus: 4, kind: ").append(KINDS[i % KINDS.length])
                        .append("}\n");
            }
        }
        String yaml = "name: " + name + "\n"
                + "gateways: " + gateways + "\n"
                + "seed: 16\n"
                + "interval: 2s\n"
                + "load: {rxPps: 10000, txPps: 8000, largeShare: 0.3, smallBytes: 200}\n"
                + "hosts:\n" + hosts
                + "faults:\n" + faults;
        return new KillLoad(ScenarioParser.parse(name + ".yaml", yaml), faulted);
    }

    Scenario scenario() {
        return scenario;
    }

    /** The gateways with a fault a command answers. */
    List<String> faulted() {
        return faulted;
    }

    /**
     * Appends one row to {@code target/kill-runs.tsv}: what RELIABILITY.md's table is made from.
     */
    static void record(String test, String load, String fault, Duration duration, KillVerifier.Report report,
                       boolean passed) {
        String row = String.join("\t", test, load, fault, duration.toSeconds() + " s",
                Long.toString(report.lost()), report.duplicated() + (report.resent() == 0 ? ""
                        : " (" + report.resent() + " samples resent on Kafka)"), passed ? "pass" : "FAIL") + "\n";
        try {
            Files.writeString(Path.of("target", "kill-runs.tsv"), row, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
