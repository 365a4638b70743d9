package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.PmtuDao;
import java.time.Instant;
import java.util.List;

/** A host's path-MTU probes of its WireGuard peers: the latest probing's paths, and their history. */
final class PmtuRoutes {

    private final HostRequests requests;
    private final PmtuDao pmtu;

    PmtuRoutes(HostRequests requests, PmtuDao pmtu) {
        this.requests = requests;
        this.pmtu = pmtu;
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
        HostRequests.Host host = requests.host(ctx);
        List<PmtuDao.PathState> rows = pmtu.latest(host.key());
        List<Path> paths = rows.stream().map(p -> new Path(p.iface(), p.peer(), p.address(), p.tunnelMtu(),
                p.largestPassed(), p.smallestFailed(), p.reportedMtu(), status(p))).toList();
        ctx.json(new Latest(host.id(), rows.isEmpty() ? null : rows.get(0).sampledAt(), paths));
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
        HostRequests.History q = requests.history(ctx);
        ctx.json(new History(q.host().id(), q.iface(), q.from(), q.to(), q.step().toSeconds(), q.tier().label(),
                pmtu.history(q.tier(), q.host().key(), q.iface(), q.from(), q.to(), q.step())));
    }
}
