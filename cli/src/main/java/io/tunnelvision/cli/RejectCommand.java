package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "reject", description = "Reject a proposed command (approval mode; needs an operator token).")
final class RejectCommand implements Runnable {

    @ParentCommand
    TunnelvisionCli cli;

    @Parameters(paramLabel = "ID", description = "The command id")
    String id;

    @Option(names = "--reason", paramLabel = "R", required = true,
            description = "Why, for the audit trail (at most 500 characters)")
    String reason;

    @Override
    public void run() {
        JsonNode sent = cli.client().post("/api/v1/commands/" + ApiClient.segment(id) + "/reject",
                Map.of("reason", reason));
        Decisions.print(cli, sent);
    }
}
