package io.tunnelvision.api.ingest;

import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.alert.AlertRecorder;
import io.tunnelvision.api.alert.AlertSettings;
import io.tunnelvision.api.alert.HotspotTransitions;
import io.tunnelvision.api.db.DatabaseState;
import io.tunnelvision.api.db.EventDao;
import io.tunnelvision.api.db.EventRows;
import io.tunnelvision.api.db.HostDao;
import io.tunnelvision.api.db.HostKey;
import io.tunnelvision.api.db.HostSighting;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.PartitionedTable;
import io.tunnelvision.api.db.RowBatch;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Writes a batch of decoded records in one database transaction: the hosts first (their keys are needed by the
 * metric rows), then every table. Either all of the batch is stored or none of it, which is what lets the consumer
 * commit offsets only after this returns.
 */
public final class IngestWriter {

    /**
     * What a write did.
     *
     * @param expired records older than their tier's retention, skipped
     * @param future  records stamped further ahead than {@link PartitionMaintenance#maxFuture()}, skipped (the
     *                consumer refuses them before they get here; this is the guard for every other caller)
     */
    public record Stats(int metricRows, int eventRows, int expired, int future) {
    }

    private final Jdbi jdbi;
    private final PartitionMaintenance partitions;
    private final RowSink sink;
    private final DatabaseState state;
    private final AlertRecorder alerts;
    private final Map<String, Integer> hostKeys = new ConcurrentHashMap<>();

    /** Records alert events with no target to send them to. */
    public IngestWriter(Jdbi jdbi, PartitionMaintenance partitions, RowSink sink) {
        this(jdbi, partitions, sink, new DatabaseState(Clock.systemUTC()),
                new AlertRecorder(AlertSettings.none(), Clock.systemUTC()));
    }

    /** @param state told of every committed write and of every failure to reach the database */
    public IngestWriter(Jdbi jdbi, PartitionMaintenance partitions, RowSink sink, DatabaseState state) {
        this(jdbi, partitions, sink, state, new AlertRecorder(AlertSettings.none(), Clock.systemUTC()));
    }

    /** @param alerts derives the alert events of hotspots, results and verdicts in each batch's transaction */
    public IngestWriter(Jdbi jdbi, PartitionMaintenance partitions, RowSink sink, AlertRecorder alerts) {
        this(jdbi, partitions, sink, new DatabaseState(Clock.systemUTC()), alerts);
    }

    /**
     * @param state told of every committed write and of every failure to reach the database
     * @param alerts derives the alert events of hotspots, results and verdicts in each batch's transaction
     */
    public IngestWriter(Jdbi jdbi, PartitionMaintenance partitions, RowSink sink, DatabaseState state,
                        AlertRecorder alerts) {
        this.jdbi = jdbi;
        this.partitions = partitions;
        this.sink = sink;
        this.state = state;
        this.alerts = alerts;
    }

    /**
     * Refuses a record stamped too far ahead, before anything of it is stored or a partition is made for it.
     *
     * @throws InvalidRecordException saying how far ahead it is and which setting bounds it
     */
    public void checkTime(Item item) {
        Instant time = RecordRows.time(item);
        if (time != null && partitions.isFromTheFuture(time)) {
            throw new InvalidRecordException("stamped " + time + ", " + partitions.ahead(time).withNanos(0)
                    + " ahead of this api's clock (more than " + partitions.maxFuture() + ", "
                    + ApiConfig.MAX_FUTURE.env() + "): the sending host's clock is wrong; refused, no partition made");
        }
    }

    /**
     * @throws org.jdbi.v3.core.JdbiException or a wrapped {@link SQLException} when the database refuses or cannot
     *                                         be reached; nothing of the batch is then stored
     */
    public Stats write(List<Item> items) {
        List<Item> live = new ArrayList<>(items.size());
        int expired = 0;
        int future = 0;
        for (Item item : items) {
            List<PartitionedTable> tables = RecordRows.partitionedTables(item);
            Instant time = RecordRows.time(item);
            if (time != null && partitions.isFromTheFuture(time)) {
                future++;
                continue;
            }
            if (!tables.isEmpty() && partitions.isExpired(tables.get(0), time)) {
                expired++;
                continue;
            }
            live.add(item);
        }
        Map<String, Integer> newKeys = new HashMap<>();
        Stats stats;
        try {
            for (Item item : live) {
                for (PartitionedTable table : RecordRows.partitionedTables(item)) {
                    partitions.ensure(table, RecordRows.time(item));
                }
            }
            stats = jdbi.inTransaction(handle -> writeInTransaction(handle, live, newKeys));
        } catch (SQLException e) {
            failed(e);
            throw new StoreException("storing " + live.size() + " records failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
        state.written();
        // Only keys of committed host rows are remembered: a rolled-back insert gives its key to nobody.
        hostKeys.putAll(newKeys);
        return new Stats(stats.metricRows(), stats.eventRows(), expired, future);
    }

    /** A refusal of bad data says nothing about the database's health; anything else means it is unreachable. */
    private void failed(Exception e) {
        if (!SqlErrors.isPermanent(e)) {
            state.unreachable(e);
        }
    }

    private Stats writeInTransaction(Handle handle, List<Item> items, Map<String, Integer> newKeys)
            throws SQLException {
        Map<String, HostSighting> latest = new LinkedHashMap<>();
        for (Item item : items) {
            HostSighting sighting = RecordRows.sighting(item);
            if (sighting != null) {
                latest.merge(sighting.hostId(), sighting, HostSighting::latest);
            }
        }
        HostDao hosts = handle.attach(HostDao.class);
        if (!latest.isEmpty()) {
            List<HostSighting> sightings = new ArrayList<>(latest.values());
            // A fixed order keeps two api instances from deadlocking on the same host rows.
            sightings.sort(Comparator.comparing(HostSighting::hostId));
            hosts.recordSightings(sightings);
        }
        String[] missing = latest.keySet().stream().filter(h -> !hostKeys.containsKey(h)).toArray(String[]::new);
        if (missing.length > 0) {
            for (HostKey key : hosts.keys(missing)) {
                newKeys.put(key.hostId(), key.hostKey());
            }
        }
        Map<String, Integer> keys = new HashMap<>(hostKeys);
        keys.putAll(newKeys);

        RowBatch interrupts = RowBatch.of(MetricFamily.INTERRUPTS, Tier.RAW);
        RowBatch softnet = RowBatch.of(MetricFamily.SOFTNET, Tier.RAW);
        RowBatch link = RowBatch.of(MetricFamily.LINK, Tier.RAW);
        RowBatch kernel = RowBatch.of(MetricFamily.KERNEL, Tier.RAW);
        RowBatch latency = new RowBatch(PartitionedTable.LATENCY.name(), RecordRows.LATENCY_COLUMNS);
        RowBatch wireguard = new RowBatch(PartitionedTable.wireguard(Tier.RAW).name(), RecordRows.WIREGUARD_COLUMNS);
        RowBatch pmtu = new RowBatch(PartitionedTable.pmtu(Tier.RAW).name(), RecordRows.PMTU_COLUMNS);
        RowBatch qdiscs = new RowBatch(PartitionedTable.qdiscs(Tier.RAW).name(), RecordRows.QDISC_COLUMNS);
        RowBatch txQueues = new RowBatch(PartitionedTable.txQueues(Tier.RAW).name(), RecordRows.TX_QUEUE_COLUMNS);
        RowBatch nics = new RowBatch(PartitionedTable.nics(Tier.RAW).name(), RecordRows.NIC_COLUMNS);
        List<EventRows.Hotspot> hotspots = new ArrayList<>();
        List<EventRows.Command> commands = new ArrayList<>();
        List<EventRows.Decision> decisions = new ArrayList<>();
        List<EventRows.Result> results = new ArrayList<>();
        List<EventRows.Outcome> outcomes = new ArrayList<>();
        List<EventRows.InterfaceConfig> configs = new ArrayList<>();
        List<EventRows.KernelSettings> settings = new ArrayList<>();
        for (Item item : items) {
            Object value = item.value();
            if (value instanceof InterruptRates r) {
                RecordRows.addInterruptRows(interrupts, r, keys.get(r.getHeader().getHostId()));
            } else if (value instanceof SoftnetRates r) {
                RecordRows.addSoftnetRows(softnet, r, keys.get(r.getHeader().getHostId()));
            } else if (value instanceof LinkRates r) {
                RecordRows.addLinkRows(link, r, keys.get(r.getHeader().getHostId()));
            } else if (value instanceof KernelRates r) {
                RecordRows.addKernelRows(kernel, r, keys.get(r.getHeader().getHostId()));
            } else if (value instanceof LatencySample s) {
                RecordRows.addLatencyRows(latency, s, keys.get(s.getHeader().getHostId()));
            } else if (value instanceof WireguardSample s) {
                RecordRows.addWireguardRows(wireguard, s, keys.get(s.getHeader().getHostId()));
            } else if (value instanceof PmtuSample s) {
                RecordRows.addPmtuRows(pmtu, s, keys.get(s.getHeader().getHostId()));
            } else if (value instanceof QdiscSample s) {
                RecordRows.addQdiscRows(qdiscs, txQueues, s, keys.get(s.getHeader().getHostId()));
            } else if (value instanceof NicSample s) {
                RecordRows.addNicRows(nics, s, keys.get(s.getHeader().getHostId()));
            } else if (value instanceof InterfaceConfigSample s) {
                configs.addAll(RecordRows.interfaceConfigs(s, keys.get(s.getHeader().getHostId())));
            } else if (value instanceof KernelSettingsSample s) {
                settings.add(RecordRows.kernelSettings(s, keys.get(s.getHeader().getHostId())));
            } else if (value instanceof Hotspot h) {
                hotspots.add(RecordRows.hotspot(h));
            } else if (value instanceof TuningCommand c) {
                commands.add(RecordRows.command(c, item.source() == Source.COMMANDS));
            } else if (value instanceof CommandDecision d) {
                decisions.add(RecordRows.decision(d));
            } else if (value instanceof CommandResult r) {
                results.add(RecordRows.result(r));
            } else if (value instanceof CommandOutcome o) {
                outcomes.add(RecordRows.outcome(o));
            }
        }
        int metricRows = 0;
        for (RowBatch batch : List.of(interrupts, softnet, link, kernel, latency, wireguard, pmtu, qdiscs, txQueues,
                nics)) {
            metricRows += sink.write(handle.getConnection(), batch);
        }
        EventDao events = handle.attach(EventDao.class);
        // Configuration changes are compared with the row before them, so they go in time order.
        configs.sort(Comparator.comparing(EventRows.InterfaceConfig::validFrom));
        settings.sort(Comparator.comparing(EventRows.KernelSettings::validFrom));
        // Alerts: the hotspots' rows are locked and read before the upsert, so that this transaction's transitions
        // start from the committed state (a second instance storing the same records waits here, then finds them).
        Map<String, HotspotTransitions.Stored> hotspotsBefore =
                alerts.lockHotspots(handle, hotspots.stream().map(EventRows.Hotspot::hotspotId).toList());
        // The driver sends a batch as one multi-row INSERT, and an ON CONFLICT DO UPDATE may not touch a row twice:
        // a hotspot opened and updated, or a command seen on two topics, within one poll goes in rounds, in order.
        for (List<EventRows.Hotspot> round : byOccurrence(hotspots, EventRows.Hotspot::hotspotId)) {
            events.upsertHotspots(round);
        }

        for (List<EventRows.Command> round : byOccurrence(commands, EventRows.Command::commandId)) {
            events.upsertCommands(round);
        }
        if (!decisions.isEmpty()) {
            events.insertDecisions(decisions);
        }
        if (!results.isEmpty()) {
            events.insertResults(results);
        }
        for (List<EventRows.Outcome> round : byOccurrence(outcomes, EventRows.Outcome::commandId)) {
            events.upsertOutcomes(round);
        }

        if (!configs.isEmpty()) {
            events.insertInterfaceConfigs(configs);
        }
        if (!settings.isEmpty()) {
            events.insertKernelSettings(settings);
        }
        // last, so that the alerts find this batch's commands and interface configurations (a tunnel's kind)
        if (!hotspots.isEmpty()) {
            alerts.hotspots(handle, hotspotsBefore, hotspots);
        }
        if (!results.isEmpty()) {
            alerts.results(handle, results);
        }
        if (!outcomes.isEmpty()) {
            alerts.outcomes(handle, outcomes);
        }
        int eventRows = hotspots.size() + commands.size() + decisions.size() + results.size() + outcomes.size()
                + configs.size() + settings.size();
        return new Stats(metricRows, eventRows, 0, 0);
    }

    /** Round k holds the k-th row of each key, in arrival order; so no round has a key twice. */
    static <T> List<List<T>> byOccurrence(List<T> rows, java.util.function.Function<T, String> key) {
        List<List<T>> rounds = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (T row : rows) {
            int k = seen.merge(key.apply(row), 1, Integer::sum) - 1;
            if (k == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(k).add(row);
        }
        return rounds;
    }
}
