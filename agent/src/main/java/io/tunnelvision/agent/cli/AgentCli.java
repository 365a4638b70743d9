package io.tunnelvision.agent.cli;

import picocli.CommandLine.Command;

/** {@code tunnelvision-agent}: the host agent's command line. */
@Command(name = "tunnelvision-agent", mixinStandardHelpOptions = true,
        versionProvider = AgentVersionProvider.class,
        description = "Watches the interrupt path of this gateway's tunnels and publishes it to Tunnelvision.",
        subcommands = {CollectCommand.class, DoctorCommand.class, RunCommand.class})
public final class AgentCli {
}
