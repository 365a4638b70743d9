package io.tunnelvision.api.alert;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting of one api instance: the recorder ingest derives events with, a sender per configured target and
 * the agent-silence job, on a thread of their own.
 */
public final class Alerts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    private final AlertRecorder recorder;
    private final List<AlertSender> senders = new ArrayList<>();
    private final SilenceJob silence;
    private final AlertSettings settings;
    private ScheduledExecutorService executor;

    public Alerts(Jdbi jdbi, AlertSettings settings, MeterRegistry metrics, Clock clock) {
        this.settings = settings;
        this.recorder = new AlertRecorder(settings, clock);
        settings.alertmanager().ifPresent(url -> senders.add(new AlertSender(jdbi,
                new AlertmanagerTarget(url, settings.firingValidity(), settings.httpTimeout(), clock), settings,
                metrics)));
        settings.webhook().ifPresent(url -> senders.add(new AlertSender(jdbi,
                new WebhookTarget(url, settings.webhookSecret().orElseThrow(), settings.httpTimeout(), clock),
                settings, metrics)));
        this.silence = new SilenceJob(jdbi, recorder, settings.silentAfter());
    }

    public AlertRecorder recorder() {
        return recorder;
    }

    /** Starts the senders and the silence job. */
    public Alerts start() {
        executor = Executors.newScheduledThreadPool(senders.size() + 1, r -> {
            Thread t = new Thread(r, "api-alerts");
            t.setDaemon(true);
            return t;
        });
        long poll = settings.pollEvery().toMillis();
        for (AlertSender sender : senders) {
            executor.scheduleWithFixedDelay(guarded("alert delivery to " + sender.targetName(), sender::runOnce),
                    0, poll, TimeUnit.MILLISECONDS);
        }
        long silenceEvery = Math.max(poll, Math.min(settings.silentAfter().toMillis() / 4, 15_000));
        executor.scheduleWithFixedDelay(guarded("agent silence", silence::runOnce), silenceEvery, silenceEvery,
                TimeUnit.MILLISECONDS);
        LOG.info("Alerts: {}", settings);
        return this;
    }

    private static Runnable guarded(String name, Runnable job) {
        return () -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                // the database is down or refused: the next round tries again, nothing is lost
                LOG.warn("{} failed: {}", name, e.getMessage());
            }
        };
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
