package io.tunnelvision.local.sim;

import java.util.Objects;

/**
 * What a tool the model stands in for printed and how it ended, as the process would: exit status 0 and its
 * standard output, or a non-zero status and the tool's own message on standard error.
 */
public record ToolAnswer(int exitStatus, String out, String err) {

    public ToolAnswer {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }

    static ToolAnswer ok(String out) {
        return new ToolAnswer(0, out, "");
    }

    static ToolAnswer failed(int exitStatus, String err) {
        return new ToolAnswer(exitStatus, "", err);
    }

    /** Standard output when it succeeded, else null (what the agent's collectors take). */
    public String outputOrNull() {
        return exitStatus == 0 ? out : null;
    }
}
