package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.NicDao;
import java.time.Instant;
import java.util.List;

/** A host's NICs: the latest sample's settings and drop rates, and their history. */
final class NicRoutes {

    private final HostRequests requests;
    private final NicDao nics;

    NicRoutes(HostRequests requests, NicDao nics) {
        this.requests = requests;
        this.nics = nics;
    }

    void latest(Context ctx) {
        HostRequests.Host host = requests.host(ctx);
        ctx.json(NicView.of(host.id(), nics.latest(host.key())));
    }

    record History(String host, String iface, Instant from, Instant to, long stepSeconds, String tier,
                   List<NicDao.Bucket> points) {
    }

    void history(Context ctx) {
        HostRequests.History q = requests.history(ctx);
        ctx.json(new History(q.host().id(), q.iface(), q.from(), q.to(), q.step().toSeconds(), q.tier().label(),
                nics.history(q.tier(), q.host().key(), q.iface(), q.from(), q.to(), q.step())));
    }
}
