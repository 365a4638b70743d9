package io.tunnelvision.api;

import io.tunnelvision.api.db.Database;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the api: reads its settings, brings the database schema up to date and runs until stopped. */
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

        Database database = Database.connect(config.dbUrl(), config.dbUser(), config.dbPassword());
        Database.Migration migration = database.migrate();
        LOG.info("Database schema {} is at version {} ({} migration(s) applied now)", migration.schema(),
                migration.version(), migration.applied());

        CountDownLatch stopped = new CountDownLatch(1);
        // The database is reached through single connections without a pool, so nothing stays open to close
        // yet; what later parts open (HTTP server, Kafka consumers) is closed here, before the latch opens.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping the api");
            stopped.countDown();
        }, "api-shutdown"));
        LOG.info("The HTTP API is not built yet, so port {} stays closed; running until stopped", config.httpPort());
        stopped.await();
    }
}
