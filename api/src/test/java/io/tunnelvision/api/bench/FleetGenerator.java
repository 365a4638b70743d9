package io.tunnelvision.api.bench;

import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Rates as a busy 64-CPU, 8-interface gateway produces them every second: a daily traffic curve with noise, NIC
 * queue IRQs pinned one per CPU (so most of each IRQ line's per-CPU values are zero), RPS spreading packets over all
 * CPUs, and rare drops and squeezes. Deterministic per seed, so runs compare.
 */
public final class FleetGenerator {

    public static final int CPUS = 64;
    public static final String[] IFACES = {"eth0", "eth1", "tun0", "tun1", "wg0", "wg1", "vxlan0", "lo"};
    private static final int NIC_QUEUES = 8;

    private final SplittableRandom random;
    private final List<Integer> cpuIds;

    public FleetGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        List<Integer> ids = new ArrayList<>();
        for (int c = 0; c < CPUS; c++) {
            ids.add(c);
        }
        this.cpuIds = List.copyOf(ids);
    }

    /** The four rate records of one gateway for the second ending at {@code t}. */
    public List<Item> second(String host, Instant t, long sequence) {
        double load = load(t);
        RateHeader header = RateHeader.newBuilder().setHostId(host).setBootId("boot-" + host)
                .setFromMs(t.toEpochMilli() - 1000).setToMs(t.toEpochMilli()).setFromSequence(sequence - 1)
                .setToSequence(sequence).build();
        return List.of(
                new Item(Source.LINK_RATES, link(header, load)),
                new Item(Source.SOFTNET_RATES, softnet(header, load)),
                new Item(Source.INTERRUPT_RATES, interrupts(header, load)),
                new Item(Source.KERNEL_RATES, kernel(header, load)));
    }

    /** 0.2 at night to 1.0 in the afternoon (UTC), times a little noise. */
    static double load(Instant t) {
        double hour = (t.getEpochSecond() % 86_400) / 3600.0;
        return 0.6 + 0.4 * Math.sin((hour - 9) / 24 * 2 * Math.PI);
    }

    private LinkRates link(RateHeader header, double load) {
        List<LinkRate> rates = new ArrayList<>(IFACES.length);
        for (int i = 0; i < IFACES.length; i++) {
            double pps = IFACES[i].equals("lo") ? noisy(50) : noisy(load * 120_000 / (1 + i % 3));
            double size = IFACES[i].startsWith("eth") ? 900 : 820;
            rates.add(LinkRate.newBuilder().setName(IFACES[i])
                    .setRxBytesPerSec(pps * size).setRxPacketsPerSec(pps).setRxErrorsPerSec(0)
                    .setRxDroppedPerSec(rare(0.01, 40)).setRxFifoErrorsPerSec(0).setRxOverErrorsPerSec(rare(0.002, 10))
                    .setRxFrameErrorsPerSec(0).setTxBytesPerSec(pps * size * 0.9).setTxPacketsPerSec(pps * 0.95)
                    .setTxErrorsPerSec(0).setTxDroppedPerSec(rare(0.01, 20)).setTxFifoErrorsPerSec(0)
                    .setTxCarrierErrorsPerSec(0).build());
        }
        return LinkRates.newBuilder().setHeader(header).setInterfaces(rates).build();
    }

    private SoftnetRates softnet(RateHeader header, double load) {
        List<SoftnetCpuRate> cpus = new ArrayList<>(CPUS);
        for (int c = 0; c < CPUS; c++) {
            double processed = noisy(load * (c < NIC_QUEUES ? 40_000 : 9_000));
            cpus.add(SoftnetCpuRate.newBuilder().setCpu(c).setProcessedPerSec(processed)
                    .setDroppedPerSec(rare(0.002, 30)).setTimeSqueezePerSec(rare(0.02, 5))
                    .setReceivedRpsPerSec(c < NIC_QUEUES ? 0.0 : noisy(load * 3_000))
                    .setFlowLimitPerSec(0.0).setBacklogLen((long) random.nextInt(3)).build());
        }
        return SoftnetRates.newBuilder().setHeader(header).setCpus(cpus).build();
    }

    private InterruptRates interrupts(RateHeader header, double load) {
        List<IrqLineRate> lines = new ArrayList<>(NIC_QUEUES);
        for (int q = 0; q < NIC_QUEUES; q++) {
            List<Double> perCpu = new ArrayList<>(CPUS);
            for (int c = 0; c < CPUS; c++) {
                perCpu.add(c == q ? noisy(load * 12_000) : 0.0);
            }
            lines.add(IrqLineRate.newBuilder().setIrq(Integer.toString(40 + q))
                    .setDevices(List.of("eth0-TxRx-" + q)).setPerSecond(perCpu).build());
        }
        List<Double> other = new ArrayList<>(CPUS);
        List<Double> rx = new ArrayList<>(CPUS);
        List<Double> tx = new ArrayList<>(CPUS);
        List<Double> share = new ArrayList<>(CPUS);
        for (int c = 0; c < CPUS; c++) {
            other.add(noisy(250));
            rx.add(noisy(load * (c < NIC_QUEUES ? 6_000 : 1_500)));
            tx.add(noisy(load * 400));
            share.add(Math.min(1, noisy(load * (c < NIC_QUEUES ? 0.35 : 0.06))));
        }
        return InterruptRates.newBuilder().setHeader(header).setCpus(cpuIds).setLines(lines).setOtherPerSecond(other)
                .setNetRxPerSecond(rx).setNetTxPerSecond(tx).setSoftirqShare(share).build();
    }

    private KernelRates kernel(RateHeader header, double load) {
        return KernelRates.newBuilder().setHeader(header).setUdpRcvbufErrorsPerSec(rare(0.01, 50))
                .setUdpSndbufErrorsPerSec(0.0).setUdpInErrorsPerSec(rare(0.01, 50))
                .setIpFragCreatesPerSec(noisy(load * 30)).setIpFragFailsPerSec(0.0)
                .setIpReasmReqdsPerSec(noisy(load * 30)).setIpReasmFailsPerSec(0.0).build();
    }

    /** A rate within about 10 % of {@code mean}, rounded as a counter delta over one second would be. */
    private double noisy(double mean) {
        return Math.max(0, Math.round(mean * (0.9 + 0.2 * random.nextDouble())));
    }

    private double rare(double probability, double size) {
        return random.nextDouble() < probability ? Math.round(1 + random.nextDouble() * size) : 0;
    }
}
