package io.tunnelvision.api.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to one target. Every api instance runs one per target: a round claims the due rows with
 * {@code FOR UPDATE SKIP LOCKED} (so two instances never send the same row at once), sends them while holding the
 * lock, and marks them delivered or due again after a backoff in the same transaction. A row waits while an earlier
 * row of the same alert is undelivered, so a close never overtakes its open. If the instance dies mid-request the
 * lock goes with its connection and another instance sends the row again: delivery is at least once, and the
 * dedupe key lets a receiver drop the copy.
 */
public final class AlertSender {

    private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);
    private static final int MAX_ERROR = 500;
    private static final int RESEND_BATCH = 256;

    private final Jdbi jdbi;
    private final AlertTarget target;
    private final AlertSettings settings;
    private final Counter sent;
    private final Counter failed;
    private final Counter abandoned;
    private final Counter resent;
    private final AtomicReference<double[]> pending = new AtomicReference<>(new double[] {0, 0});
    private int failureStreak;

    public AlertSender(Jdbi jdbi, AlertTarget target, AlertSettings settings, MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.target = target;
        this.settings = settings;
        String name = target.name();
        this.sent = counter(metrics, name, "sent");
        this.failed = counter(metrics, name, "failed");
        this.abandoned = counter(metrics, name, "abandoned");
        this.resent = Counter.builder("tunnelvision.alert.resends").tag("target", name)
                .description("Firing alerts sent to Alertmanager again so that they stay firing").register(metrics);
        Gauge.builder("tunnelvision.alert.pending", pending, p -> p.get()[0]).tag("target", name)
                .description("Alert events not yet delivered (in the shared outbox, all instances)").register(metrics);
        Gauge.builder("tunnelvision.alert.oldest.pending.age", pending, p -> p.get()[1]).tag("target", name)
                .baseUnit("seconds").description("Age of the oldest undelivered alert event").register(metrics);
    }

    private static Counter counter(MeterRegistry metrics, String target, String result) {
        return Counter.builder("tunnelvision.alert.deliveries").tag("target", target).tag("result", result)
                .description("Alert event deliveries: sent; failed (an attempt, retried with backoff); abandoned"
                        + " (still failing after TUNNELVISION_ALERT_GIVE_UP_AFTER)").register(metrics);
    }

    public String targetName() {
        return target.name();
    }

    /** Delivers everything due, re-sends what is firing (Alertmanager), and refreshes the gauges. */
    public void runOnce() {
        while (deliverBatch() > 0) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
        if (AlertSettings.ALERTMANAGER.equals(target.name())) {
            resendDue();
        }
        refreshGauges();
    }

    /** @return how many rows were delivered or given up (0: nothing due, or the target failed) */
    int deliverBatch() {
        return jdbi.inTransaction(handle -> {
            List<PendingAlert> due = claim(handle);
            if (due.isEmpty()) {
                return 0;
            }
            Instant giveUpBefore = Instant.now().minus(settings.giveUpAfter());
            List<PendingAlert> send = new ArrayList<>();
            List<PendingAlert> expired = new ArrayList<>();
            for (PendingAlert p : due) {
                (p.createdAt().isBefore(giveUpBefore) ? expired : send).add(p);
            }
            for (PendingAlert p : expired) {
                handle.createUpdate("""
                                UPDATE alert_deliveries SET abandoned_at = now()
                                WHERE event_id = :id AND target = :target""")
                        .bind("id", p.eventId()).bind("target", target.name()).execute();
                LOG.warn("Gave up delivering alert {} to {} after {} attempts over {}", p.dedupeKey(), target,
                        p.attempts(), settings.giveUpAfter());
                abandoned.increment();
            }
            if (send.isEmpty()) {
                return expired.size();
            }
            try {
                target.send(send);
            } catch (DeliveryException e) {
                failed(handle, send, e);
                return 0;
            }
            for (PendingAlert p : send) {
                handle.createUpdate("""
                                UPDATE alert_deliveries SET delivered_at = now(), attempts = attempts + 1,
                                                            last_error = NULL
                                WHERE event_id = :id AND target = :target""")
                        .bind("id", p.eventId()).bind("target", target.name()).execute();
            }
            sent.increment(send.size());
            if (failureStreak > 0) {
                LOG.info("Alerts reach {} again after {} failed attempt(s)", target, failureStreak);
                failureStreak = 0;
            }
            return send.size() + expired.size();
        });
    }

    private List<PendingAlert> claim(Handle handle) {
        return handle.createQuery("""
                        SELECT d.event_id, d.attempts, e.kind, e.dedupe_key, e.alert_key, e.labels::text,
                               e.previous_labels::text, e.annotations::text, e.generator_url, e.body::text,
                               e.starts_at, e.ends_at, e.occurred_at, e.created_at
                        FROM alert_deliveries d JOIN alert_events e ON e.event_id = d.event_id
                        WHERE d.target = :target AND d.delivered_at IS NULL AND d.abandoned_at IS NULL
                          AND d.next_attempt_at <= now()
                          AND NOT EXISTS (
                              SELECT 1 FROM alert_deliveries p
                              WHERE p.target = d.target AND p.alert_key = d.alert_key AND p.event_id < d.event_id
                                AND p.delivered_at IS NULL AND p.abandoned_at IS NULL)
                        ORDER BY d.event_id
                        LIMIT :limit
                        FOR UPDATE OF d SKIP LOCKED""")
                .bind("target", target.name()).bind("limit", target.batchSize())
                .map((rs, ctx) -> pendingAlert(rs))
                .list();
    }

    private static PendingAlert pendingAlert(ResultSet rs) throws SQLException {
        String previous = rs.getString(7);
        return new PendingAlert(rs.getLong(1), rs.getInt(2), AlertKind.valueOf(rs.getString(3)), rs.getString(4),
                rs.getString(5), AlertRecorder.labels(rs.getString(6)),
                previous == null ? null : AlertRecorder.labels(previous), AlertRecorder.labels(rs.getString(8)),
                rs.getString(9), rs.getString(10), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12)),
                instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14)));
    }

    private void failed(Handle handle, List<PendingAlert> rows, DeliveryException e) {
        String error = e.getMessage() == null ? e.toString() : e.getMessage();
        if (error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR);
        }
        for (PendingAlert p : rows) {
            handle.createUpdate("""
                            UPDATE alert_deliveries
                            SET attempts = attempts + 1, last_error = :error,
                                next_attempt_at = now() + CAST(:wait AS interval)
                            WHERE event_id = :id AND target = :target""")
                    .bind("error", error).bind("wait", retryAfter(p.attempts() + 1).toMillis() + " milliseconds")
                    .bind("id", p.eventId()).bind("target", target.name()).execute();
        }
        failed.increment(rows.size());
        if (failureStreak++ == 0) {
            LOG.warn("Cannot deliver alerts to {}: {}; retrying with backoff (up to {}), logged again once it works",
                    target, error, settings.retryMax());
        } else {
            LOG.debug("Alert delivery to {} failed again ({} in a row): {}", target, failureStreak, error);
        }
    }

    /** The wait after the n-th failed attempt: doubling from the initial wait, capped, minus up to 20 % jitter. */
    Duration retryAfter(int attempts) {
        long initial = settings.retryInitial().toMillis();
        long base = initial << Math.min(Math.max(attempts - 1, 0), 30);
        long capped = Math.min(Math.max(base, initial), settings.retryMax().toMillis());
        long jitter = (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, capped - jitter));
    }

    /** Sends firing alerts whose resend is due again; one waiting for its own delivery is left to that. */
    void resendDue() {
        jdbi.useTransaction(handle -> {
            List<FiringAlert> due = handle.createQuery("""
                            SELECT f.alert_key, f.labels::text, f.annotations::text, f.generator_url, f.starts_at
                            FROM alert_firing f
                            WHERE f.next_resend_at <= now()
                              AND NOT EXISTS (
                                  SELECT 1 FROM alert_deliveries d
                                  WHERE d.target = :target AND d.alert_key = f.alert_key
                                    AND d.delivered_at IS NULL AND d.abandoned_at IS NULL)
                            ORDER BY f.alert_key
                            LIMIT :limit
                            FOR UPDATE OF f SKIP LOCKED""")
                    .bind("target", target.name()).bind("limit", RESEND_BATCH)
                    .map((rs, ctx) -> new FiringAlert(rs.getString(1), AlertRecorder.labels(rs.getString(2)),
                            AlertRecorder.labels(rs.getString(3)), rs.getString(4), instant(rs.getTimestamp(5))))
                    .list();
            if (due.isEmpty()) {
                return;
            }
            Duration next = settings.resendInterval();
            try {
                target.resend(due);
                resent.increment(due.size());
            } catch (DeliveryException e) {
                failed.increment(due.size());
                next = settings.retryInitial();
                if (failureStreak++ == 0) {
                    LOG.warn("Cannot re-send firing alerts to {}: {}; retrying", target, e.getMessage());
                }
            }
            handle.createUpdate("""
                            UPDATE alert_firing SET next_resend_at = now() + CAST(:wait AS interval)
                            WHERE alert_key = ANY(:keys)""")
                    .bind("wait", next.toMillis() + " milliseconds")
                    .bind("keys", due.stream().map(FiringAlert::alertKey).toArray(String[]::new)).execute();
        });
    }

    void refreshGauges() {
        double[] now = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT count(*), coalesce(extract(epoch FROM now() - min(e.created_at)), 0)
                        FROM alert_deliveries d JOIN alert_events e ON e.event_id = d.event_id
                        WHERE d.target = :target AND d.delivered_at IS NULL AND d.abandoned_at IS NULL""")
                .bind("target", target.name())
                .map((rs, ctx) -> new double[] {rs.getLong(1), rs.getDouble(2)}).one());
        pending.set(now);
    }

    /** The gauges' values: pending events and the oldest one's age in seconds. */
    Map<String, Double> gauges() {
        double[] p = pending.get();
        return Map.of("pending", p[0], "oldestAgeSeconds", p[1]);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
