package io.tunnelvision.api.db;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** A resolution of stored rates: the table suffix, how long one row covers, and how its tables are partitioned. */
public enum Tier {
    // A fleet-hour of per-second rows is gigabytes: raw retention is counted in hours, so are its partitions.
    RAW("", "raw", Duration.ofSeconds(1), ChronoUnit.HOURS),
    MINUTE("_1m", "1m", Duration.ofMinutes(1), ChronoUnit.DAYS),
    // A year of daily partitions would be 365 tables per family for little gain; a month holds few rows here.
    HOUR("_1h", "1h", Duration.ofHours(1), ChronoUnit.MONTHS);

    private final String suffix;
    private final String label;
    private final Duration resolution;
    private final ChronoUnit partitionUnit;

    Tier(String suffix, String label, Duration resolution, ChronoUnit partitionUnit) {
        this.suffix = suffix;
        this.label = label;
        this.resolution = resolution;
        this.partitionUnit = partitionUnit;
    }

    public String suffix() {
        return suffix;
    }

    /** How the API names the tier: raw, 1m, 1h. */
    public String label() {
        return label;
    }

    /** The time one row covers (raw rows cover the agent's sampling interval, nominally a second). */
    public Duration resolution() {
        return resolution;
    }

    public ChronoUnit partitionUnit() {
        return partitionUnit;
    }

    /** The tier this one is rolled up from, or null for the raw tier. */
    public Tier source() {
        return switch (this) {
            case RAW -> null;
            case MINUTE -> RAW;
            case HOUR -> MINUTE;
        };
    }
}
