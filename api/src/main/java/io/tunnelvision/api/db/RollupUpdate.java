package io.tunnelvision.api.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs one rollup upsert: every tier's statement takes the same three parameters, {@code :from} and {@code :to} (the
 * source rows' range, UTC) and {@code :bucketSeconds} (the target tier's resolution). Also the time conversions the
 * sample DAOs share: timestamps are bound and read as UTC {@code timestamptz}.
 */
final class RollupUpdate {

    private RollupUpdate() {
    }

    /** Rolls the tier below {@code target} up into it for {@code [from, to)} with {@code sql}; the rows upserted. */
    static int execute(Jdbi jdbi, String sql, Tier target, Instant from, Instant to) {
        return jdbi.withHandle(handle -> handle.createUpdate(sql)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", target.resolution().toSeconds())
                .execute());
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A {@code timestamptz} column as an instant; null for NULL. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** A {@code real} column; null for NULL (getFloat alone would say 0). */
    static Double real(ResultSet rs, String column) throws SQLException {
        float value = rs.getFloat(column);
        return rs.wasNull() ? null : (double) value;
    }
}
