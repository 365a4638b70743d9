package io.tunnelvision.agent.cli;

import io.tunnelvision.agent.run.HostIdentity;
import picocli.CommandLine.IVersionProvider;

/** The version picocli prints for {@code --version}. */
public final class AgentVersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"tunnelvision-agent " + HostIdentity.version()};
    }
}
