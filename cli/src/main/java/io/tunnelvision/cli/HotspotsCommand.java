package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "hotspots", description = "Hotspots opened in a time window, newest first.")
final class HotspotsCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Option(names = "--host", paramLabel = "H", description = "Only this gateway's")
    String host;

    @Option(names = "--open", description = "Only those still open")
    boolean open;

    @Option(names = "--since", paramLabel = "D", defaultValue = "1d",
            description = "Opened in the last D (90s, 15m, 2h, 7d; default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (1..1000)")
    int limit;

    @Override
    public void run() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("host", host);
        query.put("state", open ? "OPEN" : null);
        query.put("from", cli.clock().instant().minus(Durations.parse(since, "--since")).toString());
        query.put("limit", Paging.limit(limit));
        JsonNode page = cli.client().get("/api/v1/hotspots", query);
        if (cli.json()) {
            cli.printJson(page.get("items"));
            return;
        }
        cli.print(render(page));
    }

    static String render(JsonNode page) {
        Table table = new Table("HOTSPOT", "GATEWAY", "TYPE", "SEVERITY", "STATE", "TARGET", "OPENED", "CLOSED",
                "SUMMARY");
        for (JsonNode h : page.get("items")) {
            String where = Fields.text(h, "hostId");
            if (where == null) {
                where = "fleet (" + Fields.strings(h, "hosts").size() + ")";
            }
            table.row(Fields.text(h, "hotspotId"), where, Fields.text(h, "type"), Fields.lower(h, "severity"),
                    Fields.lower(h, "state"), Fields.text(h, "target"), Fields.time(h, "openedAt"),
                    Fields.time(h, "closedAt"), Fields.text(h, "summary"));
        }
        return (table.size() == 0 ? "no hotspots\n" : table.render()) + Paging.note(page);
    }
}
