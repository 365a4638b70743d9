package io.tunnelvision.api.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code hosts} table: one row per gateway that ever sent a sample. */
@RegisterConstructorMapper(HostRow.class)
public interface HostDao {

    /**
     * Records that {@code hostId} sent sample {@code sequence} taken at {@code sampleTime}. Safe to replay:
     * a sample that is not newer than the stored one (by time, then sequence) changes nothing, so records
     * arriving twice or out of order never move {@code last_seen} back. {@code first_seen} is the time of
     * the first sample stored and is never changed.
     *
     * @return 1 if the row was created or moved forward, 0 if the sample was old news
     */
    @SqlUpdate("""
            INSERT INTO hosts AS h (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence)
            VALUES (:hostId, :bootId, :agentVersion, :sampleTime, :sampleTime, :sequence)
            ON CONFLICT (host_id) DO UPDATE SET
                boot_id = EXCLUDED.boot_id,
                agent_version = EXCLUDED.agent_version,
                last_seen = EXCLUDED.last_seen,
                last_sequence = EXCLUDED.last_sequence
            WHERE (EXCLUDED.last_seen, EXCLUDED.last_sequence) > (h.last_seen, h.last_sequence)
            """)
    int recordSample(String hostId, String bootId, String agentVersion, long sequence, Instant sampleTime);

    @SqlQuery("""
            SELECT host_id, boot_id, agent_version, first_seen, last_seen, last_sequence
            FROM hosts
            WHERE host_id = :hostId
            """)
    Optional<HostRow> find(String hostId);

    @SqlQuery("""
            SELECT host_id, boot_id, agent_version, first_seen, last_seen, last_sequence
            FROM hosts
            ORDER BY host_id
            """)
    List<HostRow> all();

    /**
     * {@link #recordSample} for many sightings at once; a sighting without an agent version (from a rate record)
     * keeps the stored one, or stores an empty one for a host first seen through its rates.
     */
    @SqlBatch("""
            INSERT INTO hosts AS h (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence)
            VALUES (:hostId, :bootId, coalesce(CAST(:agentVersion AS text), ''), :time, :time, :sequence)
            ON CONFLICT (host_id) DO UPDATE SET
                boot_id = EXCLUDED.boot_id,
                agent_version = coalesce(CAST(:agentVersion AS text), h.agent_version),
                last_seen = EXCLUDED.last_seen,
                last_sequence = EXCLUDED.last_sequence
            WHERE (EXCLUDED.last_seen, EXCLUDED.last_sequence) > (h.last_seen, h.last_sequence)
            """)
    void recordSightings(@BindMethods List<HostSighting> sightings);

    @SqlQuery("SELECT host_id, host_key FROM hosts WHERE host_id = ANY(:hostIds)")
    @RegisterConstructorMapper(HostKey.class)
    List<HostKey> keys(String[] hostIds);
}
