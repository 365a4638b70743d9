package io.tunnelvision.api.db;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the partitions of every {@link PartitionedTable} ahead of time and drops the ones whose whole range is
 * older than the tier's retention, so old data goes with a {@code DROP TABLE} (no delete, no vacuum).
 *
 * <p>Ingest also asks for the partition of each row's day ({@link #ensure}), so a late record or a record written
 * right after midnight before the job ran still finds its partition. Partitions are named
 * {@code <table>_p<yyyyMMdd>} (or {@code _p<yyyyMM>} for monthly ones) in UTC; the names are built from constants
 * and dates only, which is why DDL, which cannot take bind parameters, is safe to assemble here.
 */
public final class PartitionMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintenance.class);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");
    /**
     * The largest allowed bound on how far ahead a row may be stamped: {@link #run} makes this hour's raw partition
     * and the next two, so a row within two hours lands in a partition that exists anyway. Further ahead, a wrong
     * clock would get partitions of its own, which only retention, years later, would drop.
     */
    public static final Duration MAX_FUTURE = Duration.ofHours(2);
    /** The bound when none is configured: NTP keeps agents within seconds; an hour is a wrong clock. */
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);

    private final Jdbi jdbi;
    private final Retention retention;
    private final Clock clock;
    private final Duration maxFuture;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public PartitionMaintenance(Jdbi jdbi, Retention retention, Clock clock) {
        this(jdbi, retention, clock, DEFAULT_MAX_FUTURE);
    }

    /** @param maxFuture rows stamped further ahead of {@code clock} are refused; at most {@link #MAX_FUTURE} */
    public PartitionMaintenance(Jdbi jdbi, Retention retention, Clock clock, Duration maxFuture) {
        if (maxFuture.isNegative() || maxFuture.compareTo(MAX_FUTURE) > 0) {
            throw new IllegalArgumentException("maxFuture must be between 0 and " + MAX_FUTURE + ", got " + maxFuture);
        }
        this.jdbi = jdbi;
        this.retention = retention;
        this.clock = clock;
        this.maxFuture = maxFuture;
    }

    /** What one run did. */
    public record Result(List<String> created, List<String> dropped) {
    }

    /** Creates today's and the next partitions of every table, and drops expired ones. */
    public Result run() {
        List<String> created = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        Instant now = clock.instant();
        for (PartitionedTable table : PartitionedTable.all()) {
            Instant start = periodStart(table, now);
            for (int ahead = 0; ahead <= 2; ahead++) {
                String name = create(table, plusPeriods(table, start, ahead));
                if (name != null) {
                    created.add(name);
                }
            }
            dropped.addAll(dropExpired(table, now));
        }
        if (!created.isEmpty() || !dropped.isEmpty()) {
            LOG.info("Partitions created {} dropped {}", created, dropped);
        }
        return new Result(created, dropped);
    }

    /** Whether a row of {@code table} stamped {@code ts} is already past retention: its partition is (or will be) gone. */
    public boolean isExpired(PartitionedTable table, Instant ts) {
        Instant upper = plusPeriods(table, periodStart(table, ts), 1);
        return !upper.isAfter(clock.instant().minus(retention.of(table.tier())));
    }

    /** Whether {@code ts} is too far in the future to be believed: the clock that stamped it is wrong. */
    public boolean isFromTheFuture(Instant ts) {
        return ts.isAfter(clock.instant().plus(maxFuture));
    }

    /** How far ahead of this clock a row may be stamped. */
    public Duration maxFuture() {
        return maxFuture;
    }

    /** How far ahead of this clock {@code ts} is (negative when it is in the past). */
    public Duration ahead(Instant ts) {
        return Duration.between(clock.instant(), ts);
    }

    /**
     * Makes sure the partition holding {@code ts} exists; cheap after the first call for a period.
     *
     * @throws IllegalArgumentException if {@code ts} is {@linkplain #isFromTheFuture from the future}: its
     *                                  partition is never made
     */
    public void ensure(PartitionedTable table, Instant ts) {
        if (isFromTheFuture(ts)) {
            throw new IllegalArgumentException("no partition of " + table.name() + " for " + ts + ", which is "
                    + ahead(ts) + " ahead of this clock (more than " + maxFuture + ")");
        }
        Instant start = periodStart(table, ts);
        if (!known.contains(partitionName(table, start))) {
            create(table, start);
        }
    }

    /** Every partition for the range {@code [from, to)}. */
    public void ensureRange(PartitionedTable table, Instant from, Instant to) {
        for (Instant start = periodStart(table, from); start.isBefore(to); start = plusPeriods(table, start, 1)) {
            ensure(table, start);
        }
    }

    /** Names of the table's partitions, oldest first. */
    public List<String> partitions(PartitionedTable table) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = to_regclass(:table)
                        ORDER BY c.relname
                        """)
                .bind("table", table.name())
                .mapTo(String.class)
                .list());
    }

    /** @return the partition's name if this call created it, else null */
    private String create(PartitionedTable table, Instant start) {
        String name = partitionName(table, start);
        Instant end = plusPeriods(table, start, 1);
        String sql = "CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF " + table.name()
                + " FOR VALUES FROM ('" + start + "') TO ('" + end + "')"
                // Lets PostgreSQL compress the per-CPU arrays of a row once the row passes 256 bytes, instead
                // of the default of about 2 kB, which a 64-CPU row never reaches.
                + " WITH (toast_tuple_target = 256)";
        try {
            boolean existed = jdbi.withHandle(handle -> exists(handle, name));
            if (!existed) {
                jdbi.useHandle(handle -> handle.execute(sql));
            }
            known.add(name);
            return existed ? null : name;
        } catch (UnableToExecuteStatementException e) {
            // Another instance (or the maintenance job racing ingest) created it first; IF NOT EXISTS does not
            // cover that race in the catalog.
            if (jdbi.withHandle(handle -> exists(handle, name))) {
                known.add(name);
                return null;
            }
            throw e;
        }
    }

    private List<String> dropExpired(PartitionedTable table, Instant now) {
        Instant cutoff = now.minus(retention.of(table.tier()));
        List<String> dropped = new ArrayList<>();
        for (String name : partitions(table)) {
            Instant start = startOf(table, name);
            if (start == null) {
                continue; // not one of ours: leave it alone
            }
            Instant upper = plusPeriods(table, start, 1);
            if (!upper.isAfter(cutoff)) {
                jdbi.useHandle(handle -> handle.execute("DROP TABLE IF EXISTS " + name));
                known.remove(name);
                dropped.add(name);
            }
        }
        return dropped;
    }

    private static boolean exists(Handle handle, String name) {
        return handle.createQuery("SELECT to_regclass(:name) IS NOT NULL").bind("name", name)
                .mapTo(Boolean.class).one();
    }

    static Instant periodStart(PartitionedTable table, Instant ts) {
        return switch (table.tier().partitionUnit()) {
            case HOURS -> ts.truncatedTo(ChronoUnit.HOURS);
            case DAYS -> ts.truncatedTo(ChronoUnit.DAYS);
            case MONTHS -> LocalDateTime.ofInstant(ts, ZoneOffset.UTC).toLocalDate().withDayOfMonth(1)
                    .atStartOfDay(ZoneOffset.UTC).toInstant();
            default -> throw new IllegalStateException("no partitions by " + table.tier().partitionUnit());
        };
    }

    static Instant plusPeriods(PartitionedTable table, Instant start, int periods) {
        return table.tier().partitionUnit() == ChronoUnit.MONTHS
                ? start.atZone(ZoneOffset.UTC).plusMonths(periods).toInstant()
                : start.plus(periods, table.tier().partitionUnit());
    }

    static String partitionName(PartitionedTable table, Instant start) {
        return table.name() + "_p" + format(table).format(LocalDateTime.ofInstant(start, ZoneOffset.UTC));
    }

    static Instant startOf(PartitionedTable table, String partition) {
        String prefix = table.name() + "_p";
        if (!partition.startsWith(prefix)) {
            return null;
        }
        String stamp = partition.substring(prefix.length());
        try {
            return switch (table.tier().partitionUnit()) {
                case HOURS -> stamp.length() == 10 ? LocalDateTime.parse(stamp, HOUR).toInstant(ZoneOffset.UTC) : null;
                case DAYS -> stamp.length() == 8
                        ? java.time.LocalDate.parse(stamp, DAY).atStartOfDay(ZoneOffset.UTC).toInstant() : null;
                default -> stamp.length() == 6
                        ? java.time.LocalDate.parse(stamp + "01", DAY).atStartOfDay(ZoneOffset.UTC).toInstant() : null;
            };
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static DateTimeFormatter format(PartitionedTable table) {
        return switch (table.tier().partitionUnit()) {
            case HOURS -> HOUR;
            case DAYS -> DAY;
            default -> MONTH;
        };
    }
}
