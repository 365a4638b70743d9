package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** What the api answers to a decision or a manual command: signed and sent, not yet acted on by the gate. */
final class Decisions {

    private Decisions() {
    }

    static void print(TunnelvisionCli cli, JsonNode sent) {
        if (cli.json()) {
            cli.printJson(sent);
            return;
        }
        cli.println(render(sent));
    }

    static String render(JsonNode sent) {
        String decision = Fields.text(sent, "decision");
        String verb = decision == null ? "sent" : switch (decision.toUpperCase(Locale.ROOT)) {
            case "APPROVE" -> "approved";
            case "REJECT" -> "rejected";
            case "MANUAL" -> "issued by hand";
            default -> decision.toLowerCase(Locale.ROOT);
        };
        String reason = Fields.text(sent, "reason");
        String what = sent.hasNonNull("action") ? " (" + Fields.text(sent, "action") + " of "
                + Fields.text(sent, "target") + " to " + Fields.text(sent, "newValue") + ")" : "";
        return Fields.text(sent, "commandId") + what + " on " + Fields.text(sent, "hostId") + " " + verb + " by "
                + Fields.text(sent, "operator") + (reason == null ? "" : " (" + reason + ")") + " at "
                + Fields.time(sent, "decidedAt") + "; the gate acts on it once it verifies the api's signature"
                + " (`tunnelvision commands` shows what became of it)";
    }
}
