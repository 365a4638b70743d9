package io.tunnelvision.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 (zonky's binaries) running as a child process of this JVM.
 *
 * <p>It runs when the JVM runs as root, which PostgreSQL itself refuses: zonky sees uid 0 and
 * starts initdb, postgres and pg_ctl through {@code unshare -U}, a new user namespace in which the
 * process is the unmapped "nobody" while the kernel still checks files against the real owner.
 *
 * <p>The port is chosen once, so {@link #stop()} then {@link #start()} comes back where the
 * clients were connected, with the same data.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";
    // The cluster is initialised with trust authentication, so any password works; clients that
    // insist on one get this.
    private static final String PASSWORD = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int port;
    private final Thread exitHook;

    private EmbeddedPostgres postgres;
    private Duration lastStartDuration = Duration.ZERO;
    private boolean closed;

    /** A server on a random port, with its data in a temporary directory deleted on {@link #close()}. */
    public EmbeddedPostgresServer() {
        this(null, 0);
    }

    /** A server on a random port keeping its cluster in {@code dataDir}, which survives {@link #close()}. */
    public EmbeddedPostgresServer(Path dataDir) {
        this(Objects.requireNonNull(dataDir, "dataDir"), 0);
    }

    /**
     * @param dataDir where the cluster lives (kept on close); {@code null} for a temporary one
     * @param port    the port on localhost; 0 picks a free one
     */
    public EmbeddedPostgresServer(Path dataDir, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port);
        }
        this.ownsDataDir = dataDir == null;
        this.dataDir = ownsDataDir ? LocalServers.createTempDir("tunnelvision-pg-") : dataDir.toAbsolutePath();
        this.port = port == 0 ? LocalServers.freeLoopbackPort() : port;
        this.exitHook = LocalServers.closeOnExit("embedded-postgres", this);
    }

    /**
     * Starts PostgreSQL, running initdb first if the data directory holds no cluster yet, and
     * returns once it accepts connections. Does nothing if it is running.
     */
    public synchronized EmbeddedPostgresServer start() {
        if (closed) {
            throw new IllegalStateException("Closed: " + this);
        }
        if (postgres != null) {
            return this;
        }
        long begin = System.nanoTime();
        boolean init = !Files.exists(dataDir.resolve("postgresql.conf"));
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    // Never wipe: zonky runs initdb only when the directory has no cluster, and
                    // deleting the directory is ours to decide in close().
                    .setCleanDataDirectory(false)
                    // Our own exit hook stops it; two hooks would race the deletion of the directory.
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(STARTUP_WAIT)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start: " + this, e);
        }
        lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
        LOG.info("PostgreSQL ready on port {} in {} ms ({} {})", port, lastStartDuration.toMillis(),
                init ? "initialised" : "reused", dataDir);
        return this;
    }

    /** Stops PostgreSQL (fast mode: open sessions are disconnected); {@link #start()} brings it back. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not stop cleanly: " + this, e);
        } finally {
            postgres = null;
        }
        LOG.info("PostgreSQL on port {} stopped", port);
    }

    /** Stops PostgreSQL and deletes its data directory if this object created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsDataDir) {
                LocalServers.deleteRecursively(dataDir);
            }
            LocalServers.forgetOnExit(exitHook);
        }
    }

    /** A JDBC URL for {@code database} ("postgres" always exists). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + Objects.requireNonNull(database, "database");
    }

    public String user() {
        return SUPERUSER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** How long the last {@link #start()} took, initdb included. */
    public synchronized Duration lastStartDuration() {
        return lastStartDuration;
    }

    @Override
    public String toString() {
        return "EmbeddedPostgresServer[localhost:" + port + ", " + dataDir + "]";
    }
}
