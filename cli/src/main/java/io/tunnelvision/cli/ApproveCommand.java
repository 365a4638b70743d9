package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "approve", description = "Approve a proposed command (approval mode; needs an operator token). The"
        + " api signs the decision; the gate signs the command and sends it to the gateway.")
final class ApproveCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Parameters(paramLabel = "ID", description = "The command id (see `tunnelvision commands --status proposed`)")
    String id;

    @Override
    public void run() {
        JsonNode sent = cli.client().post("/api/v1/commands/" + ApiClient.segment(id) + "/approve", null);
        Decisions.print(cli, sent);
    }
}
