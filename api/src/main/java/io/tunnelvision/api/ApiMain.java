package io.tunnelvision.api;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.sign.SigningException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the api from its settings ({@link ApiRuntime}) and runs it until the process is stopped. */
public final class ApiMain {

    private static final Logger LOG = LoggerFactory.getLogger(ApiMain.class);

    private ApiMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ApiConfig config;
        try {
            config = new ApiConfig(Env.system());
        } catch (ConfigException e) {
            LOG.error("Cannot start the api: {}", e.getMessage());
            System.exit(1);
            return;
        }
        LOG.info("Starting with {}", config);
        if (config.tokens().isEmpty()) {
            LOG.warn("{} is empty: every /api/v1 route will answer 401", ApiConfig.TOKENS.env());
        }
        ApiRuntime api;
        try {
            api = ApiRuntime.start(config);
        } catch (SigningException e) {
            LOG.error("Cannot start the api: {}", e.getMessage());
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping the api");
            api.close();
            stopped.countDown();
        }, "api-shutdown"));
        stopped.await();
    }
}
