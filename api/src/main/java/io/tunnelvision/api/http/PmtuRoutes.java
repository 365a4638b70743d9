package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.PmtuDao;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A host's path-MTU probes of its WireGuard peers: the latest probing's paths, and their history. */
final class PmtuRoutes {

    private final ReadDao read;
    private final PmtuDao pmtu;
    private final Retention retention;
    private final Clock clock;

    PmtuRoutes(ReadDao read, PmtuDao pmtu, Retention retention, Clock clock) {
        this.read = read;
        this.pmtu = pmtu;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * status: blackhole (a size the tunnel's MTU allows vanished, unreported), reported (a router's ICMP told the
     * path MTU: discovery works), unreachable (not even the floor came back), ok (every size up to the MTU passed).
     */
    record Path(String iface, String peer, String address, int tunnelMtu, Integer largestPassed,
                Integer smallestFailed, Integer reportedMtu, String status) {
    }

    record Latest(String host, Instant sampledAt, List<Path> paths) {
    }

    void latest(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        List<PmtuDao.PathState> rows = pmtu.latest(hostKey);
        List<Path> paths = rows.stream().map(p -> new Path(p.iface(), p.peer(), p.address(), p.tunnelMtu(),
                p.largestPassed(), p.smallestFailed(), p.reportedMtu(), status(p))).toList();
        ctx.json(new Latest(hostId, rows.isEmpty() ? null : rows.get(0).sampledAt(), paths));
    }

    static String status(PmtuDao.PathState p) {
        if (p.blackholed()) {
            return "blackhole";
        }
        if (p.reportedMtu() != null) {
            return "reported";
        }
        return p.largestPassed() == null ? "unreachable" : "ok";
    }

    record History(String host, String iface, Instant from, Instant to, long stepSeconds, String tier,
                   List<PmtuDao.Bucket> points) {
    }

    void history(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        String iface = Params.optionalText(ctx, "iface", 64);
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, Duration.ofHours(1));
        Duration step = Params.step(ctx, Duration.ofMinutes(1));
        Tier tier = TierChoice.choose(step, range[0], range[1], now, retention);
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        ctx.json(new History(hostId, iface, range[0], range[1], step.toSeconds(), tier.label(),
                pmtu.history(tier, hostKey, iface, range[0], range[1], step)));
    }
}
