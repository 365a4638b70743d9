package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "propose", description = "Issue a tuning command by hand (needs an operator token). It goes through"
        + " the same gate as the planner's: the api signs the request, the gate checks it against the action's bounds,"
        + " takes the expected value from the gateway's last reported state, signs the command, and verifies the"
        + " change (rolled back if it does harm). A refusal is dead-lettered and counted.")
final class ProposeCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Parameters(index = "0", paramLabel = "HOST", description = "The gateway")
    String host;

    @Parameters(index = "1", paramLabel = "ACTION", description = "TXQUEUELEN, MTU, RPS_CPUS, RPS_FLOW_CNT,"
            + " RPS_SOCK_FLOW_ENTRIES, NETDEV_BUDGET, NETDEV_BUDGET_USECS, NETDEV_MAX_BACKLOG, RMEM_MAX, WMEM_MAX,"
            + " RP_FILTER, IRQ_AFFINITY, COALESCE_RX_USECS, CPU_GOVERNOR")
    String action;

    @Parameters(index = "2", paramLabel = "TARGET", description = "Interface (tun0), queue (tun0/rx-0), IRQ number,"
            + " CPU id, or 'host' for host-wide sysctls")
    String target;

    @Parameters(index = "3", paramLabel = "VALUE", description = "The new value")
    String value;

    @Option(names = "--reason", paramLabel = "R", description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("target", target);
        body.put("value", value);
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode sent = cli.client().post("/api/v1/hosts/" + ApiClient.segment(host) + "/commands", body);
        Decisions.print(cli, sent);
    }
}
