package io.tunnelvision.api.db;

import java.time.Duration;
import java.util.Objects;

/** How long each tier is kept. Latency probes have one tier and keep the minute tier's history. */
public record Retention(Duration raw, Duration minute, Duration hour) {

    public static final Retention DEFAULT = new Retention(Duration.ofHours(2), Duration.ofDays(30), Duration.ofDays(365));

    public Retention {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(minute, "minute");
        Objects.requireNonNull(hour, "hour");
        if (raw.isNegative() || raw.isZero() || minute.compareTo(raw) < 0 || hour.compareTo(minute) < 0) {
            throw new IllegalArgumentException("retention must grow with the tier: raw " + raw + " <= minute "
                    + minute + " <= hour " + hour + ", raw > 0");
        }
    }

    public Duration of(Tier tier) {
        return switch (tier) {
            case RAW -> raw;
            case MINUTE -> minute;
            case HOUR -> hour;
        };
    }
}
