package io.tunnelvision.agent;

import io.tunnelvision.agent.cli.AgentCli;
import io.tunnelvision.config.ConfigException;
import picocli.CommandLine;

/** {@code tunnelvision-agent collect|doctor|run}. */
public final class AgentMain {

    private AgentMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Bad settings are the operator's mistake, not a crash: one line naming the variable, exit code 1. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new AgentCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("configuration error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}
