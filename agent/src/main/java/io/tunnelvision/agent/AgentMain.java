package io.tunnelvision.agent;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the host agent. */
public final class AgentMain {

    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    public static void main(String[] args) {
        AgentConfig config;
        try {
            config = new AgentConfig(Env.system());
        } catch (ConfigException e) {
            LOG.error("Cannot start the agent: {}", e.getMessage());
            System.exit(1);
            return;
        }
        LOG.info("Resolved {}", config);
        LOG.error("The agent's collectors are not built yet: nothing to run");
        System.exit(2);
    }
}
