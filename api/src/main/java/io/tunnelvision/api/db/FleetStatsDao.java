package io.tunnelvision.api.db;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The fleet's state in a few numbers, for the api's {@code /metrics}: one aggregate query each. */
public interface FleetStatsDao {

    /** How many rows share one set of labels. */
    record LabelledCount(String first, String second, long count) {
    }

    /** A gateway and the seconds since its latest sample was taken, by the database's clock. */
    record HostAge(String hostId, double seconds) {
    }

    /** Open hotspots (host and fleet) by type and severity. */
    @SqlQuery("""
            SELECT type AS first, severity AS second, count(*) AS count
            FROM hotspots
            WHERE state = 'OPEN'
            GROUP BY type, severity
            """)
    @RegisterConstructorMapper(LabelledCount.class)
    List<LabelledCount> openHotspots();

    /** Commands by where they stand ({@code command_status}: proposed, issued, applied, verified, ...). */
    @SqlQuery("""
            SELECT status AS first, '' AS second, count(*) AS count
            FROM command_status
            GROUP BY status
            """)
    @RegisterConstructorMapper(LabelledCount.class)
    List<LabelledCount> commandsByStatus();

    /** The planner's verdicts on applied commands. */
    @SqlQuery("""
            SELECT verdict AS first, '' AS second, count(*) AS count
            FROM command_outcomes
            GROUP BY verdict
            """)
    @RegisterConstructorMapper(LabelledCount.class)
    List<LabelledCount> verdicts();

    /** Every gateway's last-seen age (negative when its clock is ahead of the database's). */
    @SqlQuery("""
            SELECT host_id, extract(epoch FROM now() - last_seen)::float8 AS seconds
            FROM hosts
            """)
    @RegisterConstructorMapper(HostAge.class)
    List<HostAge> lastSeen();
}
