package io.tunnelvision.api.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tunnelvision.api.db.FleetStatsDao;
import io.tunnelvision.api.db.FleetStatsDao.LabelledCount;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet gauges of the api's {@code /metrics}, refreshed from the database by {@link #refresh} on a schedule
 * (never on a scrape, so a scrape never waits on PostgreSQL):
 * <ul>
 *   <li>{@code tunnelvision_api_hotspots_open{type,severity}}</li>
 *   <li>{@code tunnelvision_api_commands{status}}</li>
 *   <li>{@code tunnelvision_api_command_verdicts{verdict}}</li>
 *   <li>{@code tunnelvision_api_agent_last_seen_age_seconds{host}}</li>
 *   <li>{@code tunnelvision_api_fleet_stats_age_seconds}: how old these figures are; it grows while the database
 *       is away, and the others keep their last values meanwhile.</li>
 * </ul>
 * A label set that is no longer in the database (a hotspot type with nothing open, a gateway removed) leaves the
 * export at the next refresh. Every api instance exports the same figures: aggregate them with {@code max}.
 */
public final class FleetGauges {

    private static final Logger LOG = LoggerFactory.getLogger(FleetGauges.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final MultiGauge openHotspots;
    private final MultiGauge commands;
    private final MultiGauge verdicts;
    private final MultiGauge lastSeen;
    private volatile Instant refreshed;

    public FleetGauges(Jdbi jdbi, MeterRegistry metrics, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.openHotspots = MultiGauge.builder("tunnelvision.api.hotspots.open")
                .description("Open hotspots by type and severity, host and fleet ones").register(metrics);
        this.commands = MultiGauge.builder("tunnelvision.api.commands")
                .description("Tuning commands by status (proposed, approved, issued, applied, verified, rolled_back,"
                        + " refused, rejected, ...), as stored").register(metrics);
        this.verdicts = MultiGauge.builder("tunnelvision.api.command.verdicts")
                .description("The planner's verdicts on applied commands, as stored").register(metrics);
        this.lastSeen = MultiGauge.builder("tunnelvision.api.agent.last.seen.age").baseUnit("seconds")
                .description("Seconds since each gateway's latest stored sample was taken").register(metrics);
        Gauge.builder("tunnelvision.api.fleet.stats.age", this, FleetGauges::age).baseUnit("seconds")
                .description("Seconds since the fleet gauges were last read from the database; NaN before the first"
                        + " read").register(metrics);
    }

    /**
     * Reads every figure in one go.
     *
     * @throws RuntimeException when the database cannot answer; the gauges keep their previous values
     */
    public void refresh() {
        Figures figures = jdbi.withExtension(FleetStatsDao.class, dao -> new Figures(dao.openHotspots(),
                dao.commandsByStatus(), dao.verdicts(), dao.lastSeen()));
        openHotspots.register(figures.openHotspots().stream()
                .map(c -> MultiGauge.Row.of(Tags.of("type", c.first(), "severity", c.second()), c.count()))
                .toList(), true);
        commands.register(rows("status", figures.commands()), true);
        verdicts.register(rows("verdict", figures.verdicts()), true);
        lastSeen.register(figures.lastSeen().stream()
                .map(h -> MultiGauge.Row.of(Tags.of("host", h.hostId()), h.seconds()))
                .toList(), true);
        refreshed = clock.instant();
        LOG.debug("Fleet gauges: {} open hotspot groups, {} gateways", figures.openHotspots().size(),
                figures.lastSeen().size());
    }

    private record Figures(List<LabelledCount> openHotspots, List<LabelledCount> commands,
                           List<LabelledCount> verdicts, List<FleetStatsDao.HostAge> lastSeen) {
    }

    private static List<MultiGauge.Row<?>> rows(String label, List<LabelledCount> counts) {
        return counts.stream().<MultiGauge.Row<?>>map(c -> MultiGauge.Row.of(Tags.of(label, c.first()), c.count()))
                .toList();
    }

    private double age() {
        Instant last = refreshed;
        return last == null ? Double.NaN : (clock.millis() - last.toEpochMilli()) / 1000.0;
    }
}
