package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "history", description = "One metric of one gateway over time, one row per step (the api picks the"
        + " tier: per second, 1-minute or 1-hour rollups).")
final class HistoryCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Parameters(paramLabel = "HOST", description = "The gateway")
    String host;

    @Option(names = "--metric", paramLabel = "M", required = true,
            description = "e.g. net_rx, softirq_share, time_squeeze, dropped, udp_rcvbuf_errors, rx_bytes (with --iface);"
                    + " the api lists them all when M is unknown")
    String metric;

    @Option(names = "--since", paramLabel = "D", defaultValue = "1h",
            description = "The last D (90s, 15m, 2h, 7d; default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--step", paramLabel = "S", defaultValue = "1m",
            description = "One row per S (at least 1s; default ${DEFAULT-VALUE})")
    String step;

    @Option(names = "--iface", paramLabel = "I", description = "The interface, for per-interface metrics")
    String iface;

    @Option(names = "--cpu", paramLabel = "N", description = "One CPU of a per-CPU metric (default: all summed, or"
            + " the busiest for softirq_share and backlog_len)")
    Integer cpu;

    @Override
    public void run() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("host", host);
        query.put("metric", metric);
        query.put("iface", iface);
        query.put("cpu", cpu == null ? null : cpu.toString());
        query.put("from", cli.clock().instant().minus(Durations.parse(since, "--since")).toString());
        query.put("step", Long.toString(Durations.parse(step, "--step").toSeconds()));
        JsonNode series = cli.client().get("/api/v1/series", query);
        if (cli.json()) {
            cli.printJson(series);
            return;
        }
        cli.print(render(series));
    }

    static String render(JsonNode series) {
        StringBuilder out = new StringBuilder();
        out.append(Fields.text(series, "host")).append(' ').append(Fields.text(series, "metric"));
        if (series.hasNonNull("iface")) {
            out.append(" on ").append(Fields.text(series, "iface"));
        }
        if (series.hasNonNull("cpu")) {
            out.append(" cpu ").append(Fields.text(series, "cpu"));
        } else if (series.hasNonNull("cpuAggregate")) {
            out.append(" (").append(Fields.text(series, "cpuAggregate")).append(" over CPUs)");
        }
        out.append(" in ").append(Fields.text(series, "unit")).append(", step ")
                .append(Fields.text(series, "stepSeconds")).append(" s from the ").append(Fields.text(series, "tier"))
                .append(" tier\n");
        Table table = new Table("TIME", "AVG", "MAX", "ROWS");
        for (JsonNode p : series.get("points")) {
            table.row(Fields.time(p, "t"), Fields.number(p, "avg"), Fields.number(p, "max"), Fields.number(p, "rows"));
        }
        out.append(table.size() == 0 ? "no data in this window\n" : table.render());
        return out.toString();
    }
}
