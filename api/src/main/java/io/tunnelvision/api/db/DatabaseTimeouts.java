package io.tunnelvision.api.db;

import java.time.Duration;

/**
 * How long the api waits for PostgreSQL. Without them a blackholed server (packets dropped, no reset) holds a
 * write for as long as TCP retransmits, about 15 minutes on Linux, and ingest neither backs off nor reports.
 *
 * @param connect   TCP connect plus login of a new connection (pgjdbc {@code connectTimeout} and
 *                  {@code loginTimeout})
 * @param socket    any read on an open connection (pgjdbc {@code socketTimeout}); longer than {@code statement},
 *                  so the server cancels a slow statement cleanly before the client drops the connection
 * @param statement server-side {@code statement_timeout}
 * @param pool      wait for a pooled connection (Hikari {@code connectionTimeout})
 */
public record DatabaseTimeouts(Duration connect, Duration socket, Duration statement, Duration pool) {

    public static final DatabaseTimeouts DEFAULT = new DatabaseTimeouts(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(3));

    public DatabaseTimeouts {
        // pgjdbc takes whole seconds for the first two; 0 would mean "wait forever", the bug these fix
        requireAtLeast("connect", connect, Duration.ofSeconds(1));
        requireAtLeast("socket", socket, Duration.ofSeconds(1));
        requireAtLeast("statement", statement, Duration.ofMillis(100));
        requireAtLeast("pool", pool, Duration.ofMillis(250)); // Hikari's own minimum
        if (socket.compareTo(statement) <= 0) {
            throw new IllegalArgumentException("the socket timeout (" + socket + ") must be longer than the statement"
                    + " timeout (" + statement + "), or a slow statement drops the connection instead of being"
                    + " cancelled");
        }
    }

    /** pgjdbc's unit for connect and socket timeouts, rounded up so a timeout is never shorter than asked. */
    static int wholeSeconds(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, (d.toMillis() + 999) / 1000);
    }

    private static void requireAtLeast(String name, Duration value, Duration min) {
        if (value == null || value.compareTo(min) < 0) {
            throw new IllegalArgumentException("the " + name + " timeout must be at least " + min + ", got " + value);
        }
    }
}
