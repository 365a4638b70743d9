package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.QdiscDao;
import io.tunnelvision.api.db.ReadDao;
import java.time.Instant;
import java.util.List;

/** A host's egress queues: the latest sample's qdiscs and byte queue limits per interface, and their history. */
final class QdiscRoutes {

    private final HostRequests requests;
    private final QdiscDao qdiscs;
    private final ReadDao read;

    QdiscRoutes(HostRequests requests, QdiscDao qdiscs, ReadDao read) {
        this.requests = requests;
        this.qdiscs = qdiscs;
        this.read = read;
    }

    void latest(Context ctx) {
        HostRequests.Host host = requests.host(ctx);
        ctx.json(QdiscView.of(host.id(), qdiscs.latest(host.key()), read.interfaces(host.id())));
    }

    record History(String host, String iface, Instant from, Instant to, long stepSeconds, String tier,
                   List<QdiscDao.Bucket> points, List<QdiscDao.TxQueueBucket> txQueues) {
    }

    void history(Context ctx) {
        HostRequests.History q = requests.history(ctx);
        int key = q.host().key();
        ctx.json(new History(q.host().id(), q.iface(), q.from(), q.to(), q.step().toSeconds(), q.tier().label(),
                qdiscs.history(q.tier(), key, q.iface(), q.from(), q.to(), q.step()),
                qdiscs.txQueueHistory(q.tier(), key, q.iface(), q.from(), q.to(), q.step())));
    }
}
