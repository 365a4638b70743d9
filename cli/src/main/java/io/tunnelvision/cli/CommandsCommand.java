package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "commands", description = "Tuning commands and what became of them, newest first.")
final class CommandsCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Option(names = "--host", paramLabel = "H", description = "Only this gateway's")
    String host;

    @Option(names = "--since", paramLabel = "D",
            description = "Issued in the last D (90s, 15m, 2h, 7d; default: any time)")
    String since;

    @Option(names = "--status", paramLabel = "S",
            description = "Only this status (proposed, approved, rejected, issued, applied, dry_run, refused, failed,"
                    + " rolled_back, expired, verified, inconclusive)")
    String status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (1..1000)")
    int limit;

    @Override
    public void run() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("host", host);
        query.put("status", status);
        query.put("from", since == null ? null
                : cli.clock().instant().minus(Durations.parse(since, "--since")).toString());
        query.put("limit", Paging.limit(limit));
        JsonNode page = cli.client().get("/api/v1/commands", query);
        if (cli.json()) {
            cli.printJson(page.get("items"));
            return;
        }
        cli.print(render(page));
    }

    static String render(JsonNode page) {
        Table table = new Table("COMMAND", "GATEWAY", "STATUS", "ACTION", "TARGET", "EXPECTED", "NEW", "ISSUED",
                "REASON");
        for (JsonNode c : page.get("items")) {
            String status = Fields.text(c, "status");
            if (c.path("dryRun").asBoolean(false)) {
                status = status + " (dry run)";
            }
            table.row(Fields.text(c, "commandId"), Fields.text(c, "hostId"), status, Fields.text(c, "action"),
                    Fields.text(c, "target"), Fields.text(c, "expectedValue"), Fields.text(c, "newValue"),
                    Fields.time(c, "issuedAt"), Fields.text(c, "reason"));
        }
        return (table.size() == 0 ? "no commands\n" : table.render()) + Paging.note(page);
    }
}
