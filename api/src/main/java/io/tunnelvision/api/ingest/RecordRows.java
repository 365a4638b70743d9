package io.tunnelvision.api.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.api.db.EventRows;
import io.tunnelvision.api.db.HostSighting;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.NicDao;
import io.tunnelvision.rules.detect.PmtuBlackholeDetector;
import io.tunnelvision.api.db.PartitionedTable;
import io.tunnelvision.api.db.RowBatch;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicQueue;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.TxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns records into table rows: pure functions, tested without a database. Per-CPU values become arrays indexed by
 * CPU id ({@link #perCpu}); hosts become their integer key through the function the caller passes.
 */
public final class RecordRows {

    /** CPU ids above this are taken as corruption, not hardware. */
    public static final int MAX_CPU_ID = 8191;
    /** Longer host ids than a DNS name are taken as corruption. */
    public static final int MAX_HOST_ID_LENGTH = 253;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordRows() {
    }

    /** The host a record is about, and the sample it was taken from (null for events). */
    public static HostSighting sighting(Item item) {
        Object value = item.value();
        if (value instanceof InterruptRates r) {
            return rateSighting(r.getHeader());
        } else if (value instanceof SoftnetRates r) {
            return rateSighting(r.getHeader());
        } else if (value instanceof LinkRates r) {
            return rateSighting(r.getHeader());
        } else if (value instanceof KernelRates r) {
            return rateSighting(r.getHeader());
        } else if (value instanceof InterfaceConfigSample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof KernelSettingsSample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof LatencySample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof WireguardSample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof PmtuSample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof QdiscSample s) {
            return sampleSighting(s.getHeader());
        } else if (value instanceof NicSample s) {
            return sampleSighting(s.getHeader());
        }
        return null;
    }

    /**
     * The partitioned tables a metric record's rows go to (all of one tier), empty for records that are not metrics:
     * a qdisc sample fills the qdiscs and the transmit queues.
     */
    public static List<PartitionedTable> partitionedTables(Item item) {
        if (item.source() == Source.QDISC) {
            return List.of(PartitionedTable.qdiscs(Tier.RAW), PartitionedTable.txQueues(Tier.RAW));
        }
        PartitionedTable table = partitionedTable(item);
        return table == null ? List.of() : List.of(table);
    }

    /** The partitioned table and time a metric record's rows go to, or null for records that are not metrics. */
    static PartitionedTable partitionedTable(Item item) {
        return switch (item.source()) {
            case INTERRUPT_RATES -> PartitionedTable.of(MetricFamily.INTERRUPTS, Tier.RAW);
            case SOFTNET_RATES -> PartitionedTable.of(MetricFamily.SOFTNET, Tier.RAW);
            case LINK_RATES -> PartitionedTable.of(MetricFamily.LINK, Tier.RAW);
            case KERNEL_RATES -> PartitionedTable.of(MetricFamily.KERNEL, Tier.RAW);
            case LATENCY -> PartitionedTable.LATENCY;
            case WIREGUARD -> PartitionedTable.wireguard(Tier.RAW);
            case PMTU -> PartitionedTable.pmtu(Tier.RAW);
            case QDISC -> PartitionedTable.qdiscs(Tier.RAW);
            case NIC -> PartitionedTable.nics(Tier.RAW);
            default -> null;
        };
    }

    /** Checks what decoding cannot: host ids, CPU ids. */
    public static void validate(Item item) {
        HostSighting sighting = sighting(item);
        if (sighting != null) {
            checkHost(sighting.hostId());
        }
        Object value = item.value();
        if (value instanceof InterruptRates r) {
            r.getCpus().forEach(RecordRows::checkCpu);
        } else if (value instanceof SoftnetRates r) {
            r.getCpus().forEach(c -> checkCpu(c.getCpu()));
        } else if (value instanceof WireguardSample s) {
            checkWireguard(s);
        } else if (value instanceof PmtuSample s) {
            checkPmtu(s);
        } else if (value instanceof QdiscSample s) {
            checkQdiscs(s);
        } else if (value instanceof NicSample s) {
            checkNics(s);
        } else if (value instanceof Hotspot h && h.getHostId() != null) {
            checkHost(h.getHostId());
        } else if (value instanceof TuningCommand c) {
            checkHost(c.getHostId());
            checkNotEmpty("commandId", c.getCommandId());
        } else if (value instanceof CommandResult c) {
            checkNotEmpty("commandId", c.getCommandId());
        } else if (value instanceof CommandOutcome c) {
            checkNotEmpty("commandId", c.getCommandId());
        } else if (value instanceof CommandDecision c) {
            checkNotEmpty("commandId", c.getCommandId());
        }
    }

    public static Instant time(Item item) {
        Object value = item.value();
        HostSighting sighting = sighting(item);
        if (sighting != null) {
            return sighting.time();
        }
        if (value instanceof Hotspot h) {
            return Instant.ofEpochMilli(h.getUpdatedAtMs());
        }
        return null;
    }

    // ---- metric rows --------------------------------------------------------------------------------------

    public static void addInterruptRows(RowBatch batch, InterruptRates r, int hostKey) {
        List<Integer> cpus = r.getCpus();
        Float[][] lineRates = new Float[r.getLines().size()][];
        String[] lineNames = new String[r.getLines().size()];
        Float[] linesTotal = perCpu(cpus, null);
        for (int l = 0; l < lineRates.length; l++) {
            IrqLineRate line = r.getLines().get(l);
            lineNames[l] = line.getDevices().isEmpty() ? line.getIrq() : line.getIrq() + ":" + String.join(",", line.getDevices());
            lineRates[l] = perCpu(cpus, line.getPerSecond());
            for (int i = 0; i < linesTotal.length; i++) {
                if (lineRates[l][i] != null) {
                    linesTotal[i] = (linesTotal[i] == null ? 0f : linesTotal[i]) + lineRates[l][i];
                }
            }
        }
        batch.add(hostKey, Instant.ofEpochMilli(r.getHeader().getToMs()),
                total(r.getNetTxPerSecond()), total(r.getOtherPerSecond()),
                perCpu(cpus, r.getNetRxPerSecond()), perCpu(cpus, r.getSoftirqShare()),
                lineNames.length == 0 ? null : linesTotal,
                lineNames.length == 0 ? null : lineNames, lineNames.length == 0 ? null : lineRates);
    }

    public static void addSoftnetRows(RowBatch batch, SoftnetRates r, int hostKey) {
        List<SoftnetCpuRate> cpus = r.getCpus();
        batch.add(hostKey, Instant.ofEpochMilli(r.getHeader().getToMs()),
                total(cpus.stream().map(SoftnetCpuRate::getFlowLimitPerSec).toList()),
                softnet(cpus, c -> c.getProcessedPerSec()),
                softnet(cpus, c -> c.getDroppedPerSec()),
                softnet(cpus, c -> c.getTimeSqueezePerSec()),
                softnet(cpus, SoftnetCpuRate::getReceivedRpsPerSec),
                softnet(cpus, c -> c.getBacklogLen() == null ? null : c.getBacklogLen().doubleValue()));
    }

    public static void addLinkRows(RowBatch batch, LinkRates r, int hostKey) {
        Instant ts = Instant.ofEpochMilli(r.getHeader().getToMs());
        for (LinkRate l : r.getInterfaces()) {
            batch.add(hostKey, ts, f(l.getRxBytesPerSec()), f(l.getRxPacketsPerSec()), f(l.getRxErrorsPerSec()),
                    f(l.getRxDroppedPerSec()), f(l.getRxFifoErrorsPerSec()), f(l.getRxOverErrorsPerSec()),
                    f(l.getRxFrameErrorsPerSec()), f(l.getTxBytesPerSec()), f(l.getTxPacketsPerSec()),
                    f(l.getTxErrorsPerSec()), f(l.getTxDroppedPerSec()), f(l.getTxFifoErrorsPerSec()),
                    f(l.getTxCarrierErrorsPerSec()), l.getName());
        }
    }

    public static void addKernelRows(RowBatch batch, KernelRates r, int hostKey) {
        batch.add(hostKey, Instant.ofEpochMilli(r.getHeader().getToMs()), f(r.getUdpRcvbufErrorsPerSec()),
                f(r.getUdpSndbufErrorsPerSec()), f(r.getUdpInErrorsPerSec()), f(r.getIpFragCreatesPerSec()),
                f(r.getIpFragFailsPerSec()), f(r.getIpReasmReqdsPerSec()), f(r.getIpReasmFailsPerSec()));
    }

    public static final List<String> LATENCY_COLUMNS = List.of("host_key", "ts", "size_bytes", "sent", "received",
            "rtt_min_us", "rtt_avg_us", "rtt_max_us", "jitter_us", "loss_ratio", "path", "peer", "tunnel_iface",
            "address");

    public static void addLatencyRows(RowBatch batch, LatencySample s, int hostKey) {
        Instant ts = Instant.ofEpochMilli(s.getHeader().getSampleTimeMs());
        for (PeerLatency peer : s.getPeers()) {
            for (ProbeStats p : peer.getProbes()) {
                batch.add(hostKey, ts, p.getSizeBytes(), p.getSent(), p.getReceived(), micros(p.getRttMinUs()),
                        micros(p.getRttAvgUs()), micros(p.getRttMaxUs()), micros(p.getJitterUs()),
                        (float) p.getLossRatio(), p.getPath().name(), peer.getPeer(), peer.getTunnelInterface(),
                        p.getAddress());
            }
        }
    }

    public static final List<String> WIREGUARD_COLUMNS = List.of("host_key", "ts", "allowed_ips", "latest_handshake",
            "handshake_age_s", "rx_bytes", "tx_bytes", "keepalive_s", "iface", "peer_key", "endpoint");

    /** One row per interface and peer; the handshake's age is taken at the sample's time (never negative). */
    public static void addWireguardRows(RowBatch batch, WireguardSample s, int hostKey) {
        long sampleMs = s.getHeader().getSampleTimeMs();
        Instant ts = Instant.ofEpochMilli(sampleMs);
        for (WireguardInterface i : s.getInterfaces()) {
            for (WireguardPeer p : i.getPeers()) {
                Long handshakeMs = p.getLatestHandshakeMs();
                // wg prints 0 for "no handshake yet"; the contract says null, and both mean never
                boolean never = handshakeMs == null || handshakeMs <= 0;
                batch.add(hostKey, ts, p.getAllowedIps(), never ? null : Instant.ofEpochMilli(handshakeMs),
                        never ? null : handshakeAgeSeconds(sampleMs, handshakeMs), p.getRxBytes(), p.getTxBytes(),
                        p.getPersistentKeepaliveS(), i.getName(), p.getPublicKey(), p.getEndpoint());
            }
        }
    }

    /** Whole seconds from the handshake to the sample; 0 when the handshake is stamped after the sample. */
    static int handshakeAgeSeconds(long sampleMs, long handshakeMs) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, (sampleMs - handshakeMs) / 1000));
    }

    public static final List<String> PMTU_COLUMNS = List.of("host_key", "ts", "tunnel_mtu", "largest_passed",
            "smallest_failed", "reported_mtu", "blackholed", "iface", "peer", "address");

    /**
     * One row per probed path (a path without its tunnel's name cannot be told from another tunnel's and is not
     * stored: the agent always names it); blackholed as the rules judge one path.
     */
    public static void addPmtuRows(RowBatch batch, PmtuSample s, int hostKey) {
        Instant ts = Instant.ofEpochMilli(s.getHeader().getSampleTimeMs());
        for (PmtuPath p : s.getPaths()) {
            if (p.getTunnelInterface() == null) {
                continue;
            }
            batch.add(hostKey, ts, p.getTunnelMtu(), p.getLargestPassedBytes(), p.getSmallestFailedBytes(),
                    p.getReportedMtu(), PmtuBlackholeDetector.blackholed(p), p.getTunnelInterface(), p.getPeer(),
                    p.getAddress());
        }
    }

    public static final List<String> QDISC_COLUMNS = List.of("host_key", "ts", "bytes", "packets", "drops",
            "overlimits", "requeues", "backlog_bytes", "backlog_packets", "iface", "parent", "handle", "kind");
    public static final List<String> TX_QUEUE_COLUMNS = List.of("host_key", "ts", "queue", "bql_limit",
            "bql_inflight", "bql_limit_max", "iface");

    /**
     * One row per qdisc (parent '' for a root: the key cannot hold NULL) and one per transmit queue that has byte queue
     * limits (a driver without BQL gives nulls, which say nothing worth a row).
     */
    public static void addQdiscRows(RowBatch qdiscs, RowBatch txQueues, QdiscSample s, int hostKey) {
        Instant ts = Instant.ofEpochMilli(s.getHeader().getSampleTimeMs());
        for (Qdisc q : s.getQdiscs()) {
            qdiscs.add(hostKey, ts, q.getBytes(), q.getPackets(), q.getDrops(), q.getOverlimits(), q.getRequeues(),
                    q.getBacklogBytes(), q.getBacklogPackets(), q.getInterface$(),
                    q.getParent() == null ? "" : q.getParent(), q.getHandle(), q.getKind());
        }
        for (TxQueue q : s.getTxQueues()) {
            if (q.getBqlLimit() != null || q.getBqlInflight() != null || q.getBqlLimitMax() != null) {
                txQueues.add(hostKey, ts, q.getQueue(), q.getBqlLimit(), q.getBqlInflight(), q.getBqlLimitMax(),
                        q.getInterface$());
            }
        }
    }

    public static final List<String> NIC_COLUMNS = List.of("host_key", "ts", "rx_ring", "rx_ring_max", "tx_ring",
            "tx_ring_max", "combined_channels", "combined_channels_max", "rx_channels", "rx_channels_max", "rx_usecs",
            "rx_frames", "tx_usecs", "adaptive_rx", "rx_missed", "rx_no_buffer", "rx_dropped", "tx_dropped",
            "queue_rx_drops", "queue_tx_drops", "iface", "driver", "offloads_on", "offloads_off");

    /**
     * One row per NIC: its settings, the device-wide counters the rollups keep ({@link NicDao#COUNTERS}; other -S
     * names are not stored), per-queue drops as arrays indexed by queue, and of {@link NicDao#OFFLOADS} those on and
     * those off.
     */
    public static void addNicRows(RowBatch batch, NicSample s, int hostKey) {
        Instant ts = Instant.ofEpochMilli(s.getHeader().getSampleTimeMs());
        for (Nic n : s.getNics()) {
            Map<String, Long> counters = new HashMap<>();
            n.getCounters().forEach((k, v) -> counters.put(k.toString(), v));
            Map<String, Boolean> features = new HashMap<>();
            n.getFeatures().forEach((k, v) -> features.put(k.toString(), v));
            batch.add(hostKey, ts, n.getRxRing(), n.getRxRingMax(), n.getTxRing(), n.getTxRingMax(),
                    n.getCombinedChannels(), n.getCombinedChannelsMax(), n.getRxChannels(), n.getRxChannelsMax(),
                    n.getRxUsecs(), n.getRxFrames(), n.getTxUsecs(), n.getAdaptiveRx(), counters.get("rx_missed"),
                    counters.get("rx_no_buffer"), counters.get("rx_dropped"), counters.get("tx_dropped"),
                    perQueue(n.getQueues(), NicQueue::getRxDrops), perQueue(n.getQueues(), NicQueue::getTxDrops),
                    n.getInterface$(), n.getDriver(),
                    NicDao.OFFLOADS.stream().filter(o -> Boolean.TRUE.equals(features.get(o))).toArray(String[]::new),
                    NicDao.OFFLOADS.stream().filter(o -> Boolean.FALSE.equals(features.get(o))).toArray(String[]::new));
        }
    }

    /** A queue counter at element {@code queue} (NULL where a queue reports none); null when no queue reports it. */
    static Long[] perQueue(List<NicQueue> queues, Function<NicQueue, Long> counter) {
        if (queues.stream().allMatch(q -> counter.apply(q) == null)) {
            return null;
        }
        Long[] values = new Long[queues.stream().mapToInt(NicQueue::getQueue).max().orElse(-1) + 1];
        for (NicQueue q : queues) {
            values[q.getQueue()] = counter.apply(q);
        }
        return values;
    }

    // ---- event rows ---------------------------------------------------------------------------------------

    public static EventRows.Hotspot hotspot(Hotspot h) {
        Map<String, Double> evidence = new TreeMap<>();
        h.getEvidence().forEach((k, v) -> evidence.put(k.toString(), v));
        return new EventRows.Hotspot(h.getHotspotId(), h.getScope().name(), h.getHostId(), h.getType().name(),
                h.getSeverity().name(), h.getState().name(), h.getTarget(), h.getSummary(), json(evidence),
                h.getHosts().toArray(String[]::new), Instant.ofEpochMilli(h.getWindowStartMs()),
                Instant.ofEpochMilli(h.getWindowEndMs()), Instant.ofEpochMilli(h.getOpenedAtMs()),
                Instant.ofEpochMilli(h.getUpdatedAtMs()),
                h.getClosedAtMs() == null ? null : Instant.ofEpochMilli(h.getClosedAtMs()));
    }

    public static EventRows.Command command(TuningCommand c, boolean published) {
        return new EventRows.Command(c.getCommandId(), c.getHostId(), c.getSequence(),
                Instant.ofEpochMilli(c.getIssuedAtMs()), Instant.ofEpochMilli(c.getExpiresAtMs()), c.getAction().name(),
                c.getTarget(), c.getNewValue(), c.getExpectedValue(), c.getHotspotId(), c.getReason(), c.getDryRun(),
                c.getRollbackOf(), c.getKeyId(), !published, published);
    }

    public static EventRows.Decision decision(CommandDecision d) {
        return new EventRows.Decision(d.getCommandId(), d.getHostId(), d.getDecision().name(), d.getOperator(),
                d.getReason(), Instant.ofEpochMilli(d.getTimeMs()));
    }

    public static EventRows.Result result(CommandResult r) {
        return new EventRows.Result(r.getCommandId(), r.getStatus().name(), r.getHostId(), r.getReason(),
                r.getValueBefore(), r.getValueAfter(), Instant.ofEpochMilli(r.getTimeMs()), r.getAgentVersion());
    }

    public static EventRows.Outcome outcome(CommandOutcome o) {
        return new EventRows.Outcome(o.getCommandId(), o.getHostId(), o.getHotspotId(), o.getOutcome().name(),
                o.getMetric(), o.getBefore(), o.getAfter(), o.getRollbackCommandId(), Instant.ofEpochMilli(o.getTimeMs()));
    }

    public static List<EventRows.InterfaceConfig> interfaceConfigs(InterfaceConfigSample s, int hostKey) {
        Instant ts = Instant.ofEpochMilli(s.getHeader().getSampleTimeMs());
        List<EventRows.InterfaceConfig> rows = new ArrayList<>();
        for (InterfaceConfig i : s.getInterfaces()) {
            List<Map<String, Object>> queues = new ArrayList<>();
            for (RxQueue q : i.getRxQueues()) {
                Map<String, Object> queue = new LinkedHashMap<>();
                queue.put("queue", q.getQueue());
                queue.put("rpsCpus", q.getRpsCpus());
                queue.put("rpsFlowCnt", q.getRpsFlowCnt());
                queues.add(queue);
            }
            rows.add(new EventRows.InterfaceConfig(hostKey, ts, i.getIfindex(), i.getMtu(), i.getTxQueueLen(),
                    i.getName(), i.getKind().name(), i.getOperState(), json(queues), i.getUnderlay()));
        }
        return rows;
    }

    public static EventRows.KernelSettings kernelSettings(KernelSettingsSample s, int hostKey) {
        return new EventRows.KernelSettings(hostKey, Instant.ofEpochMilli(s.getHeader().getSampleTimeMs()),
                s.getRmemMax(), s.getWmemMax(), s.getNetdevBudget(), s.getNetdevBudgetUsecs(), s.getNetdevMaxBacklog(),
                s.getRpsSockFlowEntries(), json(new TreeMap<>(s.getRpFilter())), json(new TreeMap<>(s.getCpuGovernors())));
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /**
     * Values aligned with {@code cpus} placed at their CPU id: element {@code cpu} (0-based here, {@code cpu+1} in
     * SQL) holds that CPU's value, NULL where a CPU is missing. With {@code values} null, an all-null array of the
     * right length.
     */
    public static Float[] perCpu(List<Integer> cpus, List<Double> values) {
        int max = -1;
        for (int cpu : cpus) {
            max = Math.max(max, cpu);
        }
        Float[] array = new Float[max + 1];
        if (values != null) {
            int n = Math.min(cpus.size(), values.size());
            for (int i = 0; i < n; i++) {
                Double v = values.get(i);
                array[cpus.get(i)] = v == null ? null : v.floatValue();
            }
        }
        return array;
    }

    /** The sum over CPUs, or null when no CPU reported the value. */
    static Float total(List<Double> values) {
        double sum = 0;
        boolean any = false;
        for (Double v : values) {
            if (v != null) {
                sum += v;
                any = true;
            }
        }
        return any ? (float) sum : null;
    }

    private static Float[] softnet(List<SoftnetCpuRate> cpus, Function<SoftnetCpuRate, Double> value) {
        if (cpus.stream().allMatch(c -> value.apply(c) == null)) {
            return null;
        }
        List<Integer> ids = cpus.stream().map(SoftnetCpuRate::getCpu).toList();
        return perCpu(ids, cpus.stream().map(value).toList());
    }

    private static HostSighting rateSighting(RateHeader h) {
        return new HostSighting(h.getHostId(), h.getBootId(), h.getToSequence(), Instant.ofEpochMilli(h.getToMs()), null);
    }

    private static HostSighting sampleSighting(SampleHeader h) {
        return new HostSighting(h.getHostId(), h.getBootId(), h.getSequence(), Instant.ofEpochMilli(h.getSampleTimeMs()),
                h.getAgentVersion());
    }

    private static Float f(Double value) {
        return value == null ? null : value.floatValue();
    }

    private static Integer micros(Long value) {
        return value == null ? null : (int) Math.min(Integer.MAX_VALUE, Math.max(0, value));
    }

    static void checkHost(String hostId) {
        if (hostId == null || hostId.isEmpty() || hostId.length() > MAX_HOST_ID_LENGTH
                || hostId.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRecordException("host id '" + hostId + "' is empty, longer than " + MAX_HOST_ID_LENGTH
                    + " characters or holds control characters");
        }
    }

    /** Longer interface names, keys and endpoints than these are taken as corruption. */
    static final int MAX_IFACE_LENGTH = 64;
    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_ENDPOINT_LENGTH = 300;

    private static void checkWireguard(WireguardSample s) {
        for (WireguardInterface i : s.getInterfaces()) {
            checkText("WireGuard interface name", i.getName(), MAX_IFACE_LENGTH, false);
            for (WireguardPeer p : i.getPeers()) {
                checkText("peer public key on " + i.getName(), p.getPublicKey(), MAX_KEY_LENGTH, false);
                checkText("endpoint of peer " + p.getPublicKey(), p.getEndpoint(), MAX_ENDPOINT_LENGTH, true);
                if (p.getRxBytes() < 0 || p.getTxBytes() < 0 || p.getAllowedIps() < 0) {
                    throw new InvalidRecordException("peer " + p.getPublicKey() + " on " + i.getName()
                            + " has a negative counter or allowed-IP count (rx " + p.getRxBytes() + ", tx "
                            + p.getTxBytes() + ", allowed IPs " + p.getAllowedIps() + ")");
                }
            }
        }
    }

    /** The largest IP packet there is: a size above it is corruption, not a path. */
    static final int MAX_PACKET_BYTES = 65_535;

    private static void checkPmtu(PmtuSample s) {
        for (PmtuPath p : s.getPaths()) {
            checkText("path-MTU peer name", p.getPeer(), MAX_KEY_LENGTH, false);
            checkText("tunnel of peer " + p.getPeer(), p.getTunnelInterface(), MAX_IFACE_LENGTH, true);
            checkText("probed address of peer " + p.getPeer(), p.getAddress(), MAX_ENDPOINT_LENGTH, false);
            for (Integer size : Arrays.asList(p.getTunnelMtu(), p.getLargestPassedBytes(),
                    p.getSmallestFailedBytes(), p.getReportedMtu())) {
                if (size != null && (size < 1 || size > MAX_PACKET_BYTES)) {
                    throw new InvalidRecordException("path to peer " + p.getPeer() + " on " + p.getTunnelInterface()
                            + " has a size outside 1.." + MAX_PACKET_BYTES + " (tunnel MTU " + p.getTunnelMtu()
                            + ", largest passed " + p.getLargestPassedBytes() + ", smallest failed "
                            + p.getSmallestFailedBytes() + ", reported " + p.getReportedMtu() + ")");
                }
            }
        }
    }

    /**
     * The kernel's qdisc and BQL numbers are 32-bit unsigned (struct gnet_stats_queue: qlen, backlog, drops, requeues,
     * overlimits; gnet_stats_basic's packets; the dql limits): a larger one is corruption. Bytes are 64-bit.
     */
    static final long MAX_U32 = 0xFFFF_FFFFL;
    /** A qdisc kind is a Qdisc_ops id, {@code char id[IFNAMSIZ]}: at most 15 characters. */
    static final int MAX_QDISC_KIND_LENGTH = 15;
    /** netif_alloc_netdev_queues refuses more than 0xffff queues, so a queue number is below 65535. */
    static final int MAX_QUEUE = 0xFFFE;
    /** A handle or parent as tc prints it: major:minor, each up to 4 hex digits, either may be left out. */
    private static final int MAX_TC_HANDLE_LENGTH = 9;
    private static final Pattern TC_HANDLE = Pattern.compile("[0-9a-f]{0,4}:[0-9a-f]{0,4}");

    private static void checkQdiscs(QdiscSample s) {
        Set<String> seen = new HashSet<>();
        for (Qdisc q : s.getQdiscs()) {
            checkText("qdisc interface name", q.getInterface$(), MAX_IFACE_LENGTH, false);
            String where = "qdisc " + q.getHandle() + " (parent " + (q.getParent() == null ? "root" : q.getParent())
                    + ") on " + q.getInterface$();
            checkText("kind of " + where, q.getKind(), MAX_QDISC_KIND_LENGTH, false);
            checkText("handle of " + where, q.getHandle(), MAX_TC_HANDLE_LENGTH, false);
            checkText("parent of " + where, q.getParent(), MAX_TC_HANDLE_LENGTH, true);
            for (String id : Arrays.asList(q.getHandle(), q.getParent())) {
                if (id != null && !TC_HANDLE.matcher(id).matches()) {
                    throw new InvalidRecordException(where + ": '" + id + "' is not a tc handle (major:minor in hex,"
                            + " as tc prints it)");
                }
            }
            if (!seen.add(q.getInterface$() + "\n" + q.getParent() + "\n" + q.getHandle())) {
                throw new InvalidRecordException(where + " is in the sample twice");
            }
            if (q.getBytes() < 0) {
                throw new InvalidRecordException(where + " has negative bytes " + q.getBytes());
            }
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put("packets", q.getPackets());
            counters.put("drops", q.getDrops());
            counters.put("overlimits", q.getOverlimits());
            counters.put("requeues", q.getRequeues());
            counters.put("backlog bytes", q.getBacklogBytes());
            counters.put("backlog packets", q.getBacklogPackets());
            counters.forEach((name, value) -> checkU32(where, name, value));
        }
        for (TxQueue q : s.getTxQueues()) {
            checkText("transmit queue interface name", q.getInterface$(), MAX_IFACE_LENGTH, false);
            String where = "transmit queue tx-" + q.getQueue() + " of " + q.getInterface$();
            if (q.getQueue() < 0 || q.getQueue() > MAX_QUEUE) {
                throw new InvalidRecordException(where + ": the queue number is outside 0.." + MAX_QUEUE);
            }
            checkU32(where, "BQL limit", q.getBqlLimit());
            checkU32(where, "BQL inflight", q.getBqlInflight());
            checkU32(where, "BQL limit_max", q.getBqlLimitMax());
        }
    }

    /** A driver name longer than this is corruption (the kernel's ethtool_drvinfo.driver is 32 bytes). */
    static final int MAX_DRIVER_LENGTH = 31;
    /** ethtool's ring, channel and coalescing numbers are 32-bit unsigned; the contract's ints must not be negative. */
    private static void checkNics(NicSample s) {
        Set<String> seen = new HashSet<>();
        for (Nic n : s.getNics()) {
            checkText("NIC interface name", n.getInterface$(), MAX_IFACE_LENGTH, false);
            String where = "NIC " + n.getInterface$();
            if (!seen.add(n.getInterface$())) {
                throw new InvalidRecordException(where + " is in the sample twice");
            }
            checkText("driver of " + where, n.getDriver(), MAX_DRIVER_LENGTH, true);
            Map<String, Integer> settings = new LinkedHashMap<>();
            settings.put("rx ring", n.getRxRing());
            settings.put("rx ring maximum", n.getRxRingMax());
            settings.put("tx ring", n.getTxRing());
            settings.put("tx ring maximum", n.getTxRingMax());
            settings.put("combined channels", n.getCombinedChannels());
            settings.put("combined channels maximum", n.getCombinedChannelsMax());
            settings.put("rx channels", n.getRxChannels());
            settings.put("rx channels maximum", n.getRxChannelsMax());
            settings.put("rx-usecs", n.getRxUsecs());
            settings.put("rx-frames", n.getRxFrames());
            settings.put("tx-usecs", n.getTxUsecs());
            settings.forEach((name, value) -> {
                if (value != null && value < 0) {
                    throw new InvalidRecordException(where + " has a negative " + name + " (" + value + ")");
                }
            });
            checkAtMost(where, "rx ring", n.getRxRing(), n.getRxRingMax());
            checkAtMost(where, "tx ring", n.getTxRing(), n.getTxRingMax());
            checkAtMost(where, "combined channels", n.getCombinedChannels(), n.getCombinedChannelsMax());
            checkAtMost(where, "rx channels", n.getRxChannels(), n.getRxChannelsMax());
            n.getFeatures().keySet().forEach(k -> checkText("offload name of " + where, k.toString(),
                    MAX_IFACE_LENGTH, false));
            n.getCounters().forEach((k, v) -> {
                checkText("counter name of " + where, k.toString(), MAX_IFACE_LENGTH, false);
                if (v < 0) {
                    throw new InvalidRecordException(where + " has a negative counter " + k + " (" + v + ")");
                }
            });
            Set<Integer> queues = new HashSet<>();
            for (NicQueue q : n.getQueues()) {
                if (q.getQueue() < 0 || q.getQueue() > MAX_QUEUE || !queues.add(q.getQueue())) {
                    throw new InvalidRecordException(where + " has queue " + q.getQueue() + " twice or outside 0.."
                            + MAX_QUEUE);
                }
                for (Long v : Arrays.asList(q.getRxPackets(), q.getRxDrops(), q.getTxPackets(), q.getTxDrops())) {
                    if (v != null && v < 0) {
                        throw new InvalidRecordException(where + " queue " + q.getQueue() + " has a negative counter ("
                                + v + ")");
                    }
                }
            }
        }
    }

    /** A setting above the maximum the same device reports cannot be. */
    private static void checkAtMost(String where, String name, Integer value, Integer max) {
        if (value != null && max != null && value > max) {
            throw new InvalidRecordException(where + " has " + name + " " + value + " above its maximum " + max);
        }
    }

    private static void checkU32(String where, String name, Long value) {
        if (value != null && (value < 0 || value > MAX_U32)) {
            throw new InvalidRecordException(where + " has " + name + " " + value + ", outside 0.." + MAX_U32
                    + " (the kernel keeps it as a 32-bit unsigned int)");
        }
    }

    private static void checkText(String field, String value, int maxLength, boolean nullable) {
        if (value == null && nullable) {
            return;
        }
        if (value == null || value.isEmpty() || value.length() > maxLength
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRecordException(field + " '" + value + "' is empty, longer than " + maxLength
                    + " characters or holds control characters");
        }
    }

    private static void checkCpu(int cpu) {
        if (cpu < 0 || cpu > MAX_CPU_ID) {
            throw new InvalidRecordException("CPU id " + cpu + " is outside 0.." + MAX_CPU_ID);
        }
    }

    private static void checkNotEmpty(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRecordException(field + " is empty");
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }
}
