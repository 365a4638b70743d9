package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.Metric;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.ReadRows;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.SeriesDao;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The read-only routes: hosts, series, hotspots, the fleet summary and latency. */
final class QueryRoutes {

    /** The busiest gateways have 64 CPUs today; ids are bounded like ingest bounds them. */
    static final int MAX_CPU = 8191;
    /** A gateway that has sent nothing for this long counts as silent in the fleet summary. */
    static final Duration SILENT_AFTER = Duration.ofMinutes(5);
    static final int MAX_PROBES = 10_000;
    private static final List<String> HOTSPOT_TYPES = Arrays.stream(HotspotType.values()).map(Enum::name).toList();
    private static final List<String> HOTSPOT_STATES = Arrays.stream(HotspotState.values()).map(Enum::name).toList();

    private final ReadDao read;
    private final SeriesDao series;
    private final Retention retention;
    private final Clock clock;

    QueryRoutes(ReadDao read, SeriesDao series, Retention retention, Clock clock) {
        this.read = read;
        this.series = series;
        this.retention = retention;
        this.clock = clock;
    }

    void hosts(Context ctx) {
        int limit = Params.limit(ctx);
        String cursor = ctx.queryParam("cursor");
        String after = cursor == null || cursor.isEmpty() ? null : Cursor.decode(cursor, false).id();
        List<ReadRows.HostSummary> rows = read.hosts(after, limit + 1);
        boolean more = rows.size() > limit;
        List<ReadRows.HostSummary> items = more ? rows.subList(0, limit) : rows;
        String next = more ? Cursor.after(null, items.get(items.size() - 1).hostId()).encode() : null;
        ctx.json(new Page<>(items, next));
    }

    void host(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        ReadRows.HostSummary host = read.host(hostId).orElseThrow(() -> unknownHost(hostId));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host", host);
        body.put("openHotspots", read.openHotspots(hostId));
        body.put("interfaces", read.interfaces(hostId));
        body.put("kernel", read.kernel(hostId).orElse(null));
        ctx.json(body);
    }

    record Series(String host, String metric, String unit, String iface, Integer cpu, String cpuAggregate,
                  Instant from, Instant to, long stepSeconds, String tier, List<ReadRows.Point> points) {
    }

    void series(Context ctx) {
        String hostId = Params.host(ctx, "host");
        String metricName = ctx.queryParam("metric");
        if (metricName == null || metricName.isEmpty()) {
            throw ApiProblem.badRequest("query parameter 'metric' is required, one of: " + Metric.apiNames());
        }
        Metric metric = Metric.byApiName(metricName).orElseThrow(() -> ApiProblem.badRequest("unknown metric '"
                + Params.printable(metricName) + "'; known metrics: " + Metric.apiNames()));
        String iface = Params.optionalText(ctx, "iface", 64);
        if (metric.perInterface() && iface == null) {
            throw ApiProblem.badRequest("metric " + metric.apiName() + " is per interface: add iface=NAME (e.g. tun0)");
        }
        if (!metric.perInterface() && iface != null) {
            throw ApiProblem.badRequest("metric " + metric.apiName() + " is not per interface: drop iface");
        }
        Integer cpu = Params.cpu(ctx, MAX_CPU);
        if (!metric.perCpu() && cpu != null) {
            throw ApiProblem.badRequest("metric " + metric.apiName() + " is not per CPU: drop cpu");
        }
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, Duration.ofHours(1));
        Duration step = Params.step(ctx, Duration.ofMinutes(1));
        Tier tier = TierChoice.choose(step, range[0], range[1], now, retention);
        int hostKey = read.hostKey(hostId).orElseThrow(() -> unknownHost(hostId));
        List<ReadRows.Point> points = series.series(metric, tier, hostKey, iface, cpu, range[0], range[1], step);
        ctx.json(new Series(hostId, metric.apiName(), metric.unit(), iface, cpu,
                metric.perCpu() && cpu == null ? metric.cpuAggregate().name().toLowerCase() : null,
                range[0], range[1], step.toSeconds(), tier.label(), points));
    }

    void hotspots(Context ctx) {
        Instant[] range = Params.range(ctx, clock.instant(), Duration.ofDays(1));
        String type = Params.oneOf(ctx, "type", HOTSPOT_TYPES);
        String state = Params.oneOf(ctx, "state", HOTSPOT_STATES);
        String host = Params.optionalHost(ctx, "host");
        int limit = Params.limit(ctx);
        String cursorText = ctx.queryParam("cursor");
        Cursor cursor = cursorText == null || cursorText.isEmpty() ? null : Cursor.decode(cursorText, true);
        List<ReadRows.Hotspot> rows = read.hotspots(range[0], range[1], type, state, host,
                cursor == null ? null : cursor.time(), cursor == null ? null : cursor.id(), limit + 1);
        boolean more = rows.size() > limit;
        List<ReadRows.Hotspot> items = more ? rows.subList(0, limit) : rows;
        ReadRows.Hotspot last = items.isEmpty() ? null : items.get(items.size() - 1);
        ctx.json(new Page<>(items, more ? Cursor.after(last.openedAt(), last.hotspotId()).encode() : null));
    }

    record FleetSummary(long hosts, long healthyHosts, long unhealthyHosts, long silentHosts,
                        Map<String, Long> hostsPerOpenHotspotType, long commandsInFlight,
                        Map<String, Long> commandsPerStatus, Instant at) {
    }

    void fleetSummary(Context ctx) {
        Instant now = clock.instant();
        long hosts = read.hostCount();
        long unhealthy = read.unhealthyHosts();
        Map<String, Long> types = new LinkedHashMap<>();
        read.hostsPerOpenHotspotType().forEach(c -> types.put(c.key(), c.count()));
        Map<String, Long> statuses = new LinkedHashMap<>();
        read.commandsPerStatus().forEach(c -> statuses.put(c.key(), c.count()));
        long inFlight = CommandRoutes.IN_FLIGHT.stream().mapToLong(s -> statuses.getOrDefault(s, 0L)).sum();
        ctx.json(new FleetSummary(hosts, Math.max(0, hosts - unhealthy), unhealthy,
                read.silentHosts(now.minus(SILENT_AFTER)), types, inFlight, statuses, now));
    }

    record Latency(String host, String peer, Instant from, Instant to, Map<String, ReadRows.PathSummary> paths,
                   Double overlayOverheadUs, List<ReadRows.Probe> probes) {
    }

    void latency(Context ctx) {
        String hostId = Params.host(ctx, "host");
        String peer = Params.optionalHost(ctx, "peer");
        Instant[] range = Params.range(ctx, clock.instant(), Duration.ofHours(1));
        int hostKey = read.hostKey(hostId).orElseThrow(() -> unknownHost(hostId));
        List<ReadRows.Probe> probes = read.probes(hostKey, peer, range[0], range[1], MAX_PROBES + 1);
        if (probes.size() > MAX_PROBES) {
            throw ApiProblem.badRequest("from " + range[0] + " to " + range[1] + " holds more than " + MAX_PROBES
                    + " probe results" + (peer == null ? "; pick a peer or" : ";") + " narrow the range");
        }
        Map<String, ReadRows.PathSummary> paths = new LinkedHashMap<>();
        read.pathSummaries(hostKey, peer, range[0], range[1]).forEach(p -> paths.put(p.path(), p));
        ReadRows.PathSummary overlay = paths.get("OVERLAY");
        ReadRows.PathSummary underlay = paths.get("UNDERLAY");
        Double overhead = overlay != null && underlay != null && overlay.rttAvgUs() != null
                && underlay.rttAvgUs() != null ? overlay.rttAvgUs() - underlay.rttAvgUs() : null;
        ctx.json(new Latency(hostId, peer, range[0], range[1], paths, overhead, probes));
    }

    static ApiProblem unknownHost(String hostId) {
        return ApiProblem.notFound("no host '" + Params.printable(hostId) + "' has sent anything; GET /api/v1/hosts"
                + " lists the known ones");
    }
}
