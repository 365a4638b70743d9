package io.tunnelvision.local.sim;

/**
 * What {@code tc -s -j qdisc show} (iproute2 6.1) prints of a simulated gateway: one JSON object per qdisc, in the
 * kernel's order (lo, eth0, the tunnel), each with {@code kind}, {@code handle}, {@code dev}, {@code root: true} and
 * {@code refcnt} on a root or {@code parent} on a child, its {@code options} and the counters {@code bytes packets
 * drops overlimits requeues backlog qlen}. The shapes are copied from real output on 6.18: a noqueue root counts
 * nothing; a multiqueue NIC's default root is {@code mq 0:} (its counters the sum of its children's, no refcnt)
 * with one default qdisc per transmit queue under {@code :1}, {@code :2}, ...; pfifo_fast has three bands and the
 * kernel's priomap. The model keeps no standing queue: backlog and qlen are 0. A pure renderer.
 */
final class TcQdiscShow {

    private static final String PFIFO_FAST_OPTIONS =
            "{\"bands\":3,\"priomap\":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],\"multiqueue\":false}";

    private TcQdiscShow() {
    }

    /** Cumulative counters of one qdisc. */
    record Counts(long bytes, long packets, long drops) {
        static final Counts NONE = new Counts(0, 0, 0);
    }

    /**
     * @param underlayQueues eth0's transmit queues (one per channel): one child each under its mq root
     * @param underlay       what eth0's queues sent and dropped, spread evenly over them
     * @param tunnel         what the tunnel's root counted (ignored under noqueue, which counts nothing)
     */
    static String render(int underlayQueues, Counts underlay, String tunnelName, RootQdisc tunnelRoot,
                         Counts tunnel) {
        StringBuilder out = new StringBuilder("[");
        root(out, "lo", RootQdisc.NOQUEUE, Counts.NONE);
        out.append(',');
        qdisc(out, "mq", "0:", "eth0", null, false, "{}", underlay);
        for (int q = 0; q < underlayQueues; q++) {
            Counts share = new Counts(share(underlay.bytes(), q, underlayQueues),
                    share(underlay.packets(), q, underlayQueues), share(underlay.drops(), q, underlayQueues));
            out.append(',');
            qdisc(out, "pfifo_fast", "0:", "eth0", ":" + Integer.toHexString(q + 1), false, PFIFO_FAST_OPTIONS,
                    share);
        }
        out.append(',');
        root(out, tunnelName, tunnelRoot, tunnelRoot.queues() ? tunnel : Counts.NONE);
        return out.append(']').toString();
    }

    /** Queue {@code q}'s part of {@code total}: the first queues take the remainder, so the parts add up. */
    private static long share(long total, int q, int queues) {
        return total / queues + (q < total % queues ? 1 : 0);
    }

    private static void root(StringBuilder out, String dev, RootQdisc root, Counts counts) {
        qdisc(out, root.kind(), root.handle(), dev, null, true,
                root.queues() ? PFIFO_FAST_OPTIONS : "{}", counts);
    }

    private static void qdisc(StringBuilder out, String kind, String handle, String dev, String parent,
                              boolean refcnt, String options, Counts c) {
        out.append("{\"kind\":\"").append(kind).append("\",\"handle\":\"").append(handle)
                .append("\",\"dev\":\"").append(dev).append('"');
        if (parent == null) {
            out.append(",\"root\":true");
        } else {
            out.append(",\"parent\":\"").append(parent).append('"');
        }
        if (refcnt) {
            out.append(",\"refcnt\":2");
        }
        out.append(",\"options\":").append(options)
                .append(",\"bytes\":").append(c.bytes()).append(",\"packets\":").append(c.packets())
                .append(",\"drops\":").append(c.drops())
                .append(",\"overlimits\":0,\"requeues\":0,\"backlog\":0,\"qlen\":0}");
    }
}
