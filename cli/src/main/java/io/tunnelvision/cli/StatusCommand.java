package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", description = "The fleet: how many gateways are healthy, unhealthy or silent, open hotspot"
        + " types, commands by status, and every gateway with its open hotspots.")
final class StatusCommand implements Runnable {

    /** The api's page size limit: a fleet larger than this is listed in part, and says so. */
    static final int HOSTS_LIMIT = 1000;

    @ParentCommand
    TunnelvisionCli cli;

    @Override
    public void run() {
        ApiClient api = cli.client();
        JsonNode summary = api.get("/api/v1/fleet/summary", Map.of());
        JsonNode hosts = api.get("/api/v1/hosts", Map.of("limit", Integer.toString(HOSTS_LIMIT)));
        if (cli.json()) {
            ObjectNode both = JsonNodeFactory.instance.objectNode();
            both.set("summary", summary);
            both.set("hosts", hosts.get("items"));
            cli.printJson(both);
            return;
        }
        cli.print(render(summary, hosts));
    }

    static String render(JsonNode summary, JsonNode hosts) {
        StringBuilder out = new StringBuilder();
        out.append("gateways ").append(Fields.number(summary, "hosts"))
                .append(": ").append(Fields.number(summary, "healthyHosts")).append(" healthy, ")
                .append(Fields.number(summary, "unhealthyHosts")).append(" with open hotspots, ")
                .append(Fields.number(summary, "silentHosts")).append(" silent")
                .append("   (at ").append(Fields.time(summary, "at")).append(")\n");
        out.append("commands in flight ").append(Fields.number(summary, "commandsInFlight")).append('\n');
        JsonNode types = summary.get("hostsPerOpenHotspotType");
        if (types != null && types.size() > 0) {
            out.append('\n');
            Table table = new Table("OPEN HOTSPOT TYPE", "GATEWAYS");
            types.fields().forEachRemaining(e -> table.row(e.getKey(), e.getValue().asText()));
            out.append(table.render());
        }
        JsonNode statuses = summary.get("commandsPerStatus");
        if (statuses != null && statuses.size() > 0) {
            out.append('\n');
            Table table = new Table("COMMAND STATUS", "COMMANDS");
            statuses.fields().forEachRemaining(e -> table.row(e.getKey(), e.getValue().asText()));
            out.append(table.render());
        }
        out.append('\n');
        Table table = new Table("GATEWAY", "LAST SEEN", "AGENT", "OPEN", "OPEN HOTSPOT TYPES");
        for (JsonNode host : hosts.get("items")) {
            table.row(Fields.text(host, "hostId"), Fields.time(host, "lastSeen"), Fields.text(host, "agentVersion"),
                    Fields.number(host, "openHotspots"), String.join(",", Fields.strings(host, "openHotspotTypes")));
        }
        out.append(table.size() == 0 ? "no gateway has reported yet\n" : table.render());
        if (hosts.hasNonNull("nextCursor")) {
            out.append("(the first ").append(HOSTS_LIMIT).append(" gateways; --json and the api list the rest)\n");
        }
        return out.toString();
    }
}
