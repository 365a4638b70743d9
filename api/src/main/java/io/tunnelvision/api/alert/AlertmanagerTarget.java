package io.tunnelvision.api.alert;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's v2 API: {@code POST /api/v2/alerts} with a JSON array of alerts. An alert is its label set; a
 * firing one is sent with {@code endsAt} a few resend intervals ahead (it is re-sent while it lasts, so it stays
 * firing, and resolves by itself if every api instance stops), a resolved one with the time it ended. A one-off
 * event (a rollback, a refused command) fires with {@code endsAt} an hour ahead and is not re-sent.
 */
public final class AlertmanagerTarget implements AlertTarget {

    static final Duration ONE_OFF_FOR = Duration.ofHours(1);
    private static final int BATCH = 64;

    private final HttpPoster poster;
    private final Duration firingValidity;
    private final Clock clock;

    public AlertmanagerTarget(URI base, Duration firingValidity, Duration timeout, Clock clock) {
        this.poster = new HttpPoster(alertsUri(base), timeout);
        this.firingValidity = firingValidity;
        this.clock = clock;
    }

    /** {@code BASE/api/v2/alerts}, unless the URL already names that path. */
    static URI alertsUri(URI base) {
        String s = base.toString();
        if (s.endsWith("/api/v2/alerts")) {
            return base;
        }
        return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/api/v2/alerts");
    }

    @Override
    public String name() {
        return AlertSettings.ALERTMANAGER;
    }

    @Override
    public int batchSize() {
        return BATCH;
    }

    @Override
    public void send(List<PendingAlert> alerts) throws DeliveryException {
        Instant now = clock.instant();
        List<Map<String, Object>> body = new ArrayList<>();
        for (PendingAlert a : alerts) {
            switch (a.kind().effect()) {
                case FIRE -> body.add(alert(a.labels(), a.annotations(), a.generatorUrl(), a.startsAt(),
                        now.plus(firingValidity)));
                case ESCALATE -> {
                    if (a.previousLabels() != null) {
                        body.add(alert(a.previousLabels(), a.annotations(), a.generatorUrl(), a.startsAt(),
                                latest(a.startsAt(), a.occurredAt())));
                    }
                    body.add(alert(a.labels(), a.annotations(), a.generatorUrl(), a.startsAt(),
                            now.plus(firingValidity)));
                }
                case RESOLVE -> body.add(alert(a.labels(), a.annotations(), a.generatorUrl(), a.startsAt(),
                        latest(a.startsAt(), a.endsAt() != null ? a.endsAt() : a.occurredAt())));
                case ONCE -> body.add(alert(a.labels(), a.annotations(), a.generatorUrl(), a.startsAt(),
                        latest(a.startsAt().plus(ONE_OFF_FOR), now.plus(firingValidity))));
            }
        }
        poster.post(AlertRecorder.json(body).getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }

    @Override
    public void resend(List<FiringAlert> alerts) throws DeliveryException {
        Instant endsAt = clock.instant().plus(firingValidity);
        List<Map<String, Object>> body = new ArrayList<>();
        for (FiringAlert a : alerts) {
            body.add(alert(a.labels(), a.annotations(), a.generatorUrl(), a.startsAt(), endsAt));
        }
        poster.post(AlertRecorder.json(body).getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }

    private static Map<String, Object> alert(Map<String, String> labels, Map<String, String> annotations,
                                             String generatorUrl, Instant startsAt, Instant endsAt) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("labels", labels);
        alert.put("annotations", annotations);
        alert.put("startsAt", startsAt.toString());
        alert.put("endsAt", endsAt.toString());
        if (generatorUrl != null) {
            alert.put("generatorURL", generatorUrl);
        }
        return alert;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public String toString() {
        return "Alertmanager " + poster;
    }
}
