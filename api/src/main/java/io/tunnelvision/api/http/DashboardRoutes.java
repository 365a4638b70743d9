package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.CommandEventDao;
import io.tunnelvision.api.db.CpuSeriesDao;
import io.tunnelvision.api.db.Metric;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.ReadRows;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.SettingsDao;
import io.tunnelvision.api.db.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the dashboard asks beyond the other routes: who the token belongs to (so a viewer gets no approve button),
 * per-CPU series kept apart by CPU, the fleet's per-CPU picture, a host's settings history and what happened to
 * commands step by step.
 */
final class DashboardRoutes {

    /** Buckets of a per-CPU series; times the CPUs makes the response, so fewer than a plain series allows. */
    static final long MAX_CPU_BUCKETS = 1_000;
    static final int MAX_SETTINGS_ROWS = 500;
    private static final String PER_CPU_METRICS = Arrays.stream(Metric.values()).filter(Metric::perCpu)
            .map(Metric::apiName).reduce((a, b) -> a + ", " + b).orElse("");

    private final ReadDao read;
    private final CpuSeriesDao cpus;
    private final SettingsDao settings;
    private final CommandEventDao events;
    private final Retention retention;
    private final Clock clock;

    DashboardRoutes(ReadDao read, CpuSeriesDao cpus, SettingsDao settings, CommandEventDao events, Retention retention,
                    Clock clock) {
        this.read = read;
        this.cpus = cpus;
        this.settings = settings;
        this.events = events;
        this.retention = retention;
        this.clock = clock;
    }

    record WhoAmI(String name, String role) {
    }

    record CommandEvents(Instant from, Instant to, List<CommandEventDao.CommandEvent> items, boolean truncated) {
    }

    /** Decisions, agent results and verdicts in the range, newest first; at most {@code limit}. */
    void commandEvents(Context ctx) {
        Instant[] range = Params.range(ctx, clock.instant(), Duration.ofDays(1));
        String host = Params.optionalHost(ctx, "host");
        int limit = Params.limit(ctx);
        List<CommandEventDao.CommandEvent> rows = events.events(range[0], range[1], host, limit + 1);
        boolean more = rows.size() > limit;
        ctx.json(new CommandEvents(range[0], range[1], more ? rows.subList(0, limit) : rows, more));
    }

    void whoami(Context ctx) {
        ApiToken token = ctx.attribute(ApiServer.TOKEN_ATTRIBUTE);
        ctx.json(new WhoAmI(token.name(), token.role().name().toLowerCase()));
    }

    /**
     * One host's per-CPU metric as columns: {@code t} holds the bucket times, {@code values[k]} the averages of CPU
     * {@code cpus[k]} at those times (null where that CPU sent nothing in a bucket).
     */
    record CpuSeries(String host, String metric, String unit, Instant from, Instant to, long stepSeconds, String tier,
                     List<Instant> t, List<Integer> cpus, List<List<Double>> values) {
    }

    void cpuSeries(Context ctx) {
        String hostId = Params.host(ctx, "host");
        Metric metric = perCpuMetric(ctx, null);
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, Duration.ofHours(1));
        Duration step = Params.step(ctx, Duration.ofMinutes(1));
        Tier tier = TierChoice.choose(step, range[0], range[1], now, retention, MAX_CPU_BUCKETS, "buckets");
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        List<CpuSeriesDao.CpuPoint> points = cpus.perCpu(metric, tier, hostKey, range[0], range[1], step);

        List<Instant> times = points.stream().map(CpuSeriesDao.CpuPoint::t).distinct().toList();
        List<Integer> cpuIds = new ArrayList<>(new TreeSet<>(points.stream().map(CpuSeriesDao.CpuPoint::cpu).toList()));
        Map<Instant, Integer> timeIndex = new LinkedHashMap<>();
        times.forEach(t -> timeIndex.put(t, timeIndex.size()));
        Map<Integer, Integer> cpuIndex = new LinkedHashMap<>();
        cpuIds.forEach(c -> cpuIndex.put(c, cpuIndex.size()));
        Double[][] values = new Double[cpuIds.size()][times.size()];
        for (CpuSeriesDao.CpuPoint p : points) {
            values[cpuIndex.get(p.cpu())][timeIndex.get(p.t())] = p.avg();
        }
        ctx.json(new CpuSeries(hostId, metric.apiName(), metric.unit(), range[0], range[1], step.toSeconds(),
                tier.label(), times, cpuIds, Arrays.stream(values).map(Arrays::asList).toList()));
    }

    record HostCpus(String host, List<Integer> cpus, List<Double> values) {
    }

    record FleetCpus(String metric, String unit, Instant from, Instant to, String tier, List<HostCpus> hosts) {
    }

    /** Every host's per-CPU averages over the range (default: the last 10 minutes of the 1-minute tier). */
    void fleetCpus(Context ctx) {
        Metric metric = perCpuMetric(ctx, Metric.SOFTIRQ_SHARE);
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, Duration.ofMinutes(10));
        Tier tier = TierChoice.choose(Duration.ofMinutes(1), range[0], range[1], now, retention);
        Map<String, HostCpus> hosts = new LinkedHashMap<>();
        for (CpuSeriesDao.HostCpu row : cpus.fleet(metric, tier, range[0], range[1])) {
            HostCpus host = hosts.computeIfAbsent(row.hostId(), h -> new HostCpus(h, new ArrayList<>(),
                    new ArrayList<>()));
            host.cpus().add(row.cpu());
            host.values().add(row.avg());
        }
        ctx.json(new FleetCpus(metric.apiName(), metric.unit(), range[0], range[1], tier.label(),
                List.copyOf(hosts.values())));
    }

    record SettingsHistory(String host, Instant from, Instant to, List<ReadRows.InterfaceState> interfaces,
                           List<ReadRows.KernelState> kernel) {
    }

    /** A host's settings as they changed in the range, plus those in effect when it begins; newest first. */
    void settingsHistory(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        Instant[] range = Params.range(ctx, clock.instant(), Duration.ofDays(7));
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        ctx.json(new SettingsHistory(hostId, range[0], range[1],
                settings.interfaceHistory(hostKey, range[0], range[1], MAX_SETTINGS_ROWS),
                settings.kernelHistory(hostKey, range[0], range[1], MAX_SETTINGS_ROWS)));
    }

    private static Metric perCpuMetric(Context ctx, Metric fallback) {
        String name = ctx.queryParam("metric");
        if (name == null || name.isEmpty()) {
            if (fallback != null) {
                return fallback;
            }
            throw ApiProblem.badRequest("query parameter 'metric' is required, one of: " + PER_CPU_METRICS);
        }
        return Metric.byApiName(name).filter(Metric::perCpu).orElseThrow(() -> ApiProblem.badRequest("metric '"
                + Params.printable(name) + "' is not kept per CPU; per-CPU metrics: " + PER_CPU_METRICS));
    }
}
