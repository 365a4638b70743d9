package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated gateway: cumulative kernel counters that tests advance by what should happen in an interval, and
 * samples of them with a consistent header (boot id, sequence, sample time). {@link #step()} moves to the next
 * interval.
 */
public final class GatewaySim {

    /**
     * Start of every simulated gateway's clock: a day ago, on the hour. Samples carry it as their record
     * timestamp, so on a real broker it must stay inside the topics' retention (2 days for samples, 30 for
     * events): a fixed date ages out, and the broker's retention check then deletes input and output under a
     * running test, silently.
     */
    public static final long T0 = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();

    private final String host;
    private final int cpus;
    private String boot = "boot-1";
    private long sequence;
    private long timeMs = T0;
    private long intervalMs = 1000;

    private final long[] processed;
    private final long[] dropped;
    private final long[] squeeze;
    private final long[] netRx;
    private final long[] softirqTicks;
    private final long[] totalTicks;
    private final long[] nicIrq;
    private final Map<String, long[]> links = new HashMap<>();
    private long udpRcvbufErrors;
    private long fragCreates;
    public long netdevBudget = 300;
    public long netdevMaxBacklog = 1000;
    public long rmemMax = 212_992;
    public long rpsSockFlowEntries = 0;

    public GatewaySim(String host, int cpus) {
        this.host = host;
        this.cpus = cpus;
        processed = new long[cpus];
        dropped = new long[cpus];
        squeeze = new long[cpus];
        netRx = new long[cpus];
        softirqTicks = new long[cpus];
        totalTicks = new long[cpus];
        nicIrq = new long[cpus];
    }

    public String host() {
        return host;
    }

    public long timeMs() {
        return timeMs;
    }

    /** Starts this gateway's clock at {@code epochMs} instead of {@link #T0} (a load generator running in real time). */
    public GatewaySim startingAt(long epochMs) {
        this.timeMs = epochMs;
        return this;
    }

    public GatewaySim intervalMs(long value) {
        this.intervalMs = value;
        return this;
    }

    public void step() {
        sequence++;
        timeMs += intervalMs;
    }

    public void reboot(String newBoot) {
        boot = newBoot;
        sequence = 0;
        Arrays.fill(processed, 0);
        Arrays.fill(squeeze, 0);
    }

    public SampleHeader header() {
        return new SampleHeader(host, boot, sequence, timeMs, "test");
    }

    /** Softnet counters after an interval with this many squeezes and backlog drops on CPU 0. */
    public SoftnetSample softnet(long squeezes, long drops) {
        for (int i = 0; i < cpus; i++) {
            processed[i] += 1000;
        }
        squeeze[0] += squeezes;
        dropped[0] += drops;
        List<SoftnetCpu> rows = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            rows.add(SoftnetCpu.newBuilder().setRow(i).setCpu(i).setProcessed(processed[i]).setDropped(dropped[i])
                    .setTimeSqueeze(squeeze[i]).setBacklogLen(0L).build());
        }
        return new SoftnetSample(header(), rows);
    }

    /**
     * Interrupt counters after an interval. {@code hotCpu} gets {@code share} of NET_RX and NIC interrupts of the
     * given per-second total and spends {@code hotSoftirqShare} of its time in softirq.
     */
    public InterruptSample interrupts(long perSecond, int hotCpu, double share, double hotSoftirqShare) {
        double seconds = intervalMs / 1000.0;
        for (int i = 0; i < cpus; i++) {
            double cpuShare = i == hotCpu ? share : (1 - share) / Math.max(1, cpus - 1);
            long n = Math.round(perSecond * cpuShare * seconds);
            netRx[i] += n;
            nicIrq[i] += n;
            long ticks = Math.round(100 * seconds);
            totalTicks[i] += ticks;
            softirqTicks[i] += i == hotCpu ? Math.round(ticks * hotSoftirqShare) : 0;
        }
        List<Integer> online = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            online.add(i);
        }
        List<Long> zeros = new ArrayList<>(Arrays.stream(new long[cpus]).boxed().toList());
        IrqLine nic = IrqLine.newBuilder().setIrq("24").setDevices(List.of("eth0-TxRx-0")).setCounts(list(nicIrq))
                .build();
        return InterruptSample.newBuilder().setHeader(header()).setOnlineCpus(online).setLines(List.of(nic))
                .setOtherTotals(zeros).setNetRxSoftirqs(list(netRx)).setNetTxSoftirqs(zeros)
                .setSoftirqTicks(list(softirqTicks)).setTotalTicks(list(totalTicks)).build();
    }

    /** Link counters after an interval with these tx drops and rx overruns on {@code iface}. */
    public LinkSample link(String iface, long txDrops, long rxOverruns) {
        long[] c = links.computeIfAbsent(iface, k -> new long[13]);
        c[0] += 1_000_000;
        c[1] += 1000;
        c[5] += rxOverruns;
        c[7] += 1_000_000;
        c[8] += 1000;
        c[10] += txDrops;
        List<LinkCounters> all = new ArrayList<>();
        links.forEach((name, v) -> all.add(new LinkCounters(name, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                v[9], v[10], v[11], v[12])));
        return new LinkSample(header(), all);
    }

    public KernelSettingsSample kernel(long udpErrors, long fragments) {
        udpRcvbufErrors += udpErrors;
        fragCreates += fragments;
        Map<String, String> governors = new HashMap<>();
        return KernelSettingsSample.newBuilder().setHeader(header()).setRmemMax(rmemMax).setWmemMax(rmemMax)
                .setNetdevBudget(netdevBudget).setNetdevBudgetUsecs(2000L).setNetdevMaxBacklog(netdevMaxBacklog)
                .setRpsSockFlowEntries(rpsSockFlowEntries).setRpFilter(new HashMap<>()).setCpuGovernors(governors)
                .setUdpRcvbufErrors(udpRcvbufErrors).setUdpSndbufErrors(0L).setUdpInErrors(udpRcvbufErrors)
                .setIpFragCreates(fragCreates).setIpFragOks(fragCreates).setIpFragFails(0L).setIpReasmReqds(0L)
                .setIpReasmOks(0L).setIpReasmFails(0L).build();
    }

    public InterfaceConfigSample interfaces(InterfaceConfig... interfaces) {
        return new InterfaceConfigSample(header(), List.of(interfaces));
    }

    public static InterfaceConfig physical(String name, int mtu) {
        return iface(name, InterfaceKind.PHYSICAL, mtu, 1000, null, null);
    }

    public static InterfaceConfig tunnel(String name, InterfaceKind kind, int mtu, int txQueueLen, String rpsCpus,
                                         String underlay) {
        return iface(name, kind, mtu, txQueueLen, rpsCpus, underlay);
    }

    private static InterfaceConfig iface(String name, InterfaceKind kind, int mtu, int txQueueLen, String rpsCpus,
                                         String underlay) {
        return InterfaceConfig.newBuilder().setName(name).setIfindex(name.hashCode() & 0xff).setKind(kind).setMtu(mtu)
                .setTxQueueLen(txQueueLen).setOperState("up")
                .setRxQueues(List.of(new RxQueue("rx-0", rpsCpus, null))).setUnderlay(underlay).build();
    }

    private static List<Long> list(long[] values) {
        return new ArrayList<>(Arrays.stream(values).boxed().toList());
    }
}
