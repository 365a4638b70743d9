package io.tunnelvision.api.http;

import io.tunnelvision.api.db.QdiscDao;
import io.tunnelvision.api.db.ReadRows;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.TxQueueLenZeroDetector;
import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host's egress queues as the gateway page shows them: the latest sample's qdiscs with their rates over the interval
 * from the sample before (the rules' {@link QdiscRateCalculator}, as the fleet and the doctor take them), grouped by
 * interface with the interface's txqueuelen and the rules' {@link TxQueueLenZeroDetector} judgement. Pure: the rows
 * come from {@link QdiscDao#latest} and the interface states from the host's stored configuration.
 */
final class QdiscView {

    private static final TxQueueLenZeroDetector TXQUEUELEN_ZERO = new TxQueueLenZeroDetector();

    private QdiscView() {
    }

    /** One qdisc; rates null when unknown (no sample before, replaced, reset, or too long an interval). */
    record QdiscState(String kind, String handle, String parent, boolean root, long bytes, long packets, long drops,
                      long overlimits, long requeues, long backlogBytes, long backlogPackets, Double dropsPerSecond,
                      Double bytesPerSecond, Double overlimitsPerSecond) {
    }

    record TxQueueState(int queue, Long bqlLimit, Long bqlInflight, Long bqlLimitMax) {
    }

    /**
     * One interface: its kind and txqueuelen from the stored configuration (null when none is stored), and whether
     * the rules find txqueuelen 0 dropping there ({@code txQueueLenZero}, with their reason).
     */
    record Interface(String name, String kind, Integer txQueueLen, boolean txQueueLenZero, String txQueueLenZeroReason,
                     List<QdiscState> qdiscs, List<TxQueueState> txQueues) {
    }

    record Latest(String host, Instant sampledAt, Double intervalSeconds, List<Interface> interfaces) {
    }

    static Latest of(String host, QdiscDao.LatestSamples samples, List<ReadRows.InterfaceState> configs) {
        if (samples.latest().isEmpty()) {
            return new Latest(host, null, null, List.of());
        }
        Instant at = samples.latest().get(0).sampledAt();
        QdiscSample current = sample(host, at, samples.latest());
        Instant before = samples.previous().isEmpty() ? at : samples.previous().get(0).sampledAt();
        QdiscRates rates = new QdiscRateCalculator().between(sample(host, before, samples.previous()), current);
        Map<String, ReadRows.InterfaceState> config = new LinkedHashMap<>();
        configs.forEach(c -> config.put(c.iface(), c));
        Map<String, Finding> zero = new LinkedHashMap<>();
        for (Finding f : TXQUEUELEN_ZERO.evaluate(rates, interfaceConfig(host, configs))) {
            zero.put(f.target(), f);
        }
        Map<String, List<QdiscState>> qdiscs = new LinkedHashMap<>();
        for (QdiscRates.QdiscRate r : rates.qdiscs()) {
            Qdisc q = r.qdisc();
            qdiscs.computeIfAbsent(q.getInterface$(), i -> new ArrayList<>()).add(new QdiscState(q.getKind(),
                    q.getHandle(), q.getParent(), q.getParent() == null, q.getBytes(), q.getPackets(), q.getDrops(),
                    q.getOverlimits(), q.getRequeues(), q.getBacklogBytes(), q.getBacklogPackets(), r.dropsPerSec(),
                    r.bytesPerSec(), r.overlimitsPerSec()));
        }
        Map<String, List<TxQueueState>> txQueues = new LinkedHashMap<>();
        for (QdiscDao.TxQueueRow t : samples.txQueues()) {
            txQueues.computeIfAbsent(t.iface(), i -> new ArrayList<>())
                    .add(new TxQueueState(t.queue(), t.bqlLimit(), t.bqlInflight(), t.bqlLimitMax()));
        }
        List<Interface> interfaces = new ArrayList<>();
        for (Map.Entry<String, List<QdiscState>> e : qdiscs.entrySet()) {
            ReadRows.InterfaceState c = config.get(e.getKey());
            Finding f = zero.get(e.getKey());
            boolean bad = f != null && f.bad();
            interfaces.add(new Interface(e.getKey(), c == null ? null : c.kind(), c == null ? null : c.txQueueLen(),
                    bad, bad ? f.summary() : null, e.getValue(), txQueues.getOrDefault(e.getKey(), List.of())));
        }
        return new Latest(host, at, rates.seconds() > 0 ? rates.seconds() : null, interfaces);
    }

    private static QdiscSample sample(String host, Instant at, List<QdiscDao.QdiscRow> rows) {
        List<Qdisc> qdiscs = rows.stream().map(r -> new Qdisc(r.iface(), r.kind(), r.handle(), r.parent(), r.bytes(),
                r.packets(), r.drops(), r.overlimits(), r.requeues(), r.backlogBytes(), r.backlogPackets())).toList();
        return new QdiscSample(header(host, at), qdiscs, List.of());
    }

    /** The stored interfaces as the detector reads them; a kind this version does not know is OTHER. */
    private static InterfaceConfigSample interfaceConfig(String host, List<ReadRows.InterfaceState> configs) {
        List<InterfaceConfig> interfaces = configs.stream().map(c -> new InterfaceConfig(c.iface(), c.ifindex(),
                kind(c.kind()), c.mtu(), c.txQueueLen(), c.operState(), List.of(), c.underlay())).toList();
        return new InterfaceConfigSample(header(host, Instant.EPOCH), interfaces);
    }

    private static InterfaceKind kind(String name) {
        try {
            return InterfaceKind.valueOf(name);
        } catch (IllegalArgumentException e) {
            return InterfaceKind.OTHER;
        }
    }

    private static SampleHeader header(String host, Instant at) {
        return new SampleHeader(host, "", 0L, at.toEpochMilli(), "");
    }
}
