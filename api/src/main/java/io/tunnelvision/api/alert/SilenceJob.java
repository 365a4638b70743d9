package io.tunnelvision.api.alert;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Finds agents that went silent (no sample for {@link AlertSettings#silentAfter()}) and those that came back. Every
 * instance runs it; a silence is one row of {@code agent_silences} and one event keyed by the host and the sample
 * time it went quiet at, so two instances finding the same silence record it once.
 *
 * <p>Two guards against calling a broken pipeline N silent agents: nothing is silent while no host at all has
 * reported within the threshold (Kafka or ingest is down: the api's health and consumer lag say so), and nothing
 * during the first threshold after this instance started (ingest catching up after a restart).
 */
public final class SilenceJob {

    private final Jdbi jdbi;
    private final AlertRecorder recorder;
    private final Duration silentAfter;
    private final long startedNanos = System.nanoTime();

    public SilenceJob(Jdbi jdbi, AlertRecorder recorder, Duration silentAfter) {
        this.jdbi = jdbi;
        this.recorder = recorder;
        this.silentAfter = silentAfter;
    }

    private record Silent(String host, Instant lastSeen) {
    }

    private record Back(String host, Instant silentAt, Instant lastSeen) {
    }

    /** @return the transitions recorded (silent and back) */
    public int runOnce() {
        boolean warmedUp = System.nanoTime() - startedNanos >= silentAfter.toNanos();
        String after = silentAfter.toMillis() + " milliseconds";
        return jdbi.inTransaction(handle -> {
            int recorded = 0;
            Instant now = handle.createQuery("SELECT now()").mapTo(Timestamp.class).one().toInstant();
            if (warmedUp) {
                List<Silent> silent = handle.createQuery("""
                                SELECT h.host_id, h.last_seen FROM hosts h
                                WHERE h.last_seen < now() - CAST(:after AS interval)
                                  AND EXISTS (SELECT 1 FROM hosts f WHERE f.last_seen >= now() - CAST(:after AS interval))
                                  AND NOT EXISTS (SELECT 1 FROM agent_silences s WHERE s.host_id = h.host_id)
                                ORDER BY h.host_id""")
                        .bind("after", after)
                        .map((rs, ctx) -> new Silent(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
                for (Silent s : silent) {
                    int inserted = handle.createUpdate("""
                                    INSERT INTO agent_silences (host_id, last_seen, silent_since)
                                    VALUES (:host, :lastSeen, now()) ON CONFLICT (host_id) DO NOTHING""")
                            .bind("host", s.host()).bind("lastSeen", s.lastSeen()).execute();
                    if (inserted == 1) {
                        recorded += recorder.record(handle,
                                recorder.events().silent(s.host(), s.lastSeen(), now, silentAfter));
                    }
                }
            }
            List<Back> back = handle.createQuery("""
                            SELECT s.host_id, s.last_seen, h.last_seen FROM agent_silences s
                            JOIN hosts h ON h.host_id = s.host_id
                            WHERE h.last_seen > s.last_seen
                            ORDER BY s.host_id
                            FOR UPDATE OF s SKIP LOCKED""")
                    .map((rs, ctx) -> new Back(rs.getString(1), rs.getTimestamp(2).toInstant(),
                            rs.getTimestamp(3).toInstant())).list();
            for (Back b : back) {
                handle.createUpdate("DELETE FROM agent_silences WHERE host_id = :host").bind("host", b.host())
                        .execute();
                recorded += recorder.record(handle, recorder.events().back(b.host(), b.silentAt(), b.lastSeen()));
            }
            return recorded;
        });
    }
}
