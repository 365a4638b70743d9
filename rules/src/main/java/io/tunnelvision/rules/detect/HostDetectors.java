package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.rules.rates.WireguardRates;
import java.util.ArrayList;
import java.util.List;

/**
 * Every per-host detector, chained per kind of rate as the fleet runs them: one interval's rates of a kind, with
 * the latest configuration it needs, give that interval's findings. Streams' per-host stage and the doctor both
 * call these methods, so a host is judged by one set of rules whether it is watched or examined once.
 *
 * <p>{@link #hostOnly} holds the detectors the fleet does not run yet (they were the doctor's checks): the same
 * style, over the same samples and rates, ready for the fleet to adopt.
 */
public final class HostDetectors {

    private final IrqConcentrationDetector irqConcentration;
    private final SoftirqConcentrationDetector softirqConcentration;
    private final RpsOffDetector rpsOff;
    private final SoftnetSqueezeDetector softnetSqueeze;
    private final BacklogDropDetector backlogDrops;
    private final TxDropDetector txDrops;
    private final RxOverrunDetector rxOverruns;
    private final UdpBufferErrorDetector udpBufferErrors;
    private final MtuMismatchDetector mtuMismatch;
    private final SoftirqLoadDetector softirqLoad;
    private final FragmentationDetector fragmentation;
    private final UdpSendBufferErrorDetector udpSendBufferErrors;
    private final TunnelDownDetector tunnelDown;
    private final QdiscDropDetector qdiscDrops;
    private final QdiscBacklogDetector qdiscBacklog;
    private final TxQueueLenZeroDetector txQueueLenZero = new TxQueueLenZeroDetector();
    private final PmtuBlackholeDetector pmtuBlackhole;
    private final NicRxDropDetector nicRxDrops;
    private final NicChannelDetector nicChannels = new NicChannelDetector();
    private final NicCoalescingDetector nicCoalescing;
    private final NicIrqRateDetector nicIrqRate;
    private final RfsOffDetector rfsOff = new RfsOffDetector();
    private final RpFilterDetector rpFilter = new RpFilterDetector();
    private final CpuGovernorDetector governor = new CpuGovernorDetector();

    public HostDetectors(DetectionThresholds thresholds) {
        this.irqConcentration = new IrqConcentrationDetector(thresholds);
        this.softirqConcentration = new SoftirqConcentrationDetector(thresholds);
        this.rpsOff = new RpsOffDetector(thresholds);
        this.softnetSqueeze = new SoftnetSqueezeDetector(thresholds);
        this.backlogDrops = new BacklogDropDetector(thresholds);
        this.txDrops = new TxDropDetector(thresholds);
        this.rxOverruns = new RxOverrunDetector(thresholds);
        this.udpBufferErrors = new UdpBufferErrorDetector(thresholds);
        this.mtuMismatch = new MtuMismatchDetector(thresholds);
        this.softirqLoad = new SoftirqLoadDetector(thresholds);
        this.fragmentation = new FragmentationDetector(thresholds);
        this.udpSendBufferErrors = new UdpSendBufferErrorDetector(thresholds);
        this.tunnelDown = new TunnelDownDetector(thresholds);
        this.qdiscDrops = new QdiscDropDetector(thresholds);
        this.qdiscBacklog = new QdiscBacklogDetector(thresholds);
        this.pmtuBlackhole = new PmtuBlackholeDetector(thresholds);
        this.nicRxDrops = new NicRxDropDetector(thresholds);
        this.nicCoalescing = new NicCoalescingDetector(thresholds);
        this.nicIrqRate = new NicIrqRateDetector(thresholds);
    }

    /** @param config the latest interface configuration, or null before the first one arrived */
    public List<Finding> onInterrupts(InterruptRates rates, InterruptSample sample, InterfaceConfigSample config) {
        List<Finding> findings = new ArrayList<>(sample == null ? irqConcentration.evaluate(rates)
                : irqConcentration.evaluate(rates, sample));
        findings.addAll(softirqConcentration.evaluate(rates));
        findings.addAll(rpsOff.evaluate(rates, config));
        return findings;
    }

    public List<Finding> onSoftnet(SoftnetRates rates) {
        List<Finding> findings = new ArrayList<>(softnetSqueeze.evaluate(rates));
        findings.addAll(backlogDrops.evaluate(rates));
        return findings;
    }

    /** @param interruptRates the latest interrupt rates (whether a CPU is saturated), or null */
    public List<Finding> onLink(LinkRates rates, InterfaceConfigSample config, InterruptRates interruptRates) {
        List<Finding> findings = new ArrayList<>(txDrops.evaluate(rates, config, interruptRates));
        findings.addAll(rxOverruns.evaluate(rates));
        return findings;
    }

    /**
     * @param latency the latest probe results, or null
     * @param links the latest link rates (whether a tunnel carries the traffic that fragments), or null
     */
    public List<Finding> onKernel(KernelRates rates, InterfaceConfigSample config, LatencySample latency,
                                  LinkRates links) {
        List<Finding> findings = new ArrayList<>(udpBufferErrors.evaluate(rates));
        findings.addAll(mtuMismatch.evaluate(config, rates, latency, links));
        return findings;
    }

    /** The WireGuard peers over one interval: whether each tunnel is down while traffic to it is expected. */
    public List<Finding> onWireguard(WireguardRates rates) {
        return tunnelDown.evaluate(rates);
    }

    /** The latest path-MTU probes: whether a tunnel's path swallows packets its MTU allows, unreported. */
    public List<Finding> onPmtu(PmtuSample sample) {
        return pmtuBlackhole.evaluate(sample);
    }

    /**
     * The egress queues over one interval: root qdiscs of the tunnels and their underlays that drop or hold a
     * standing queue, and tunnel devices whose txqueuelen 0 makes a queue of nothing.
     *
     * @param config the latest interface configuration (which interfaces are tunnels, their txqueuelen), or null
     */
    public List<Finding> onQdisc(QdiscRates rates, InterfaceConfigSample config) {
        List<Finding> findings = new ArrayList<>(qdiscDrops.evaluate(rates, config));
        findings.addAll(qdiscBacklog.evaluate(rates, config));
        findings.addAll(txQueueLenZero.evaluate(rates, config));
        return findings;
    }

    /**
     * The NICs: receive drops while the ring could grow, a single channel where more are possible, coalescing
     * against latency, and each queue's interrupt rate against the si% of its CPU.
     *
     * @param rates          the NIC drop rates over the interval, or null when there is only one NIC sample yet
     * @param sample         the latest NIC sample (rings, channels, coalescing), or null
     * @param interruptRates the latest interrupt rates (CPUs, queue interrupts, si%), or null
     * @param interrupts     the interrupt sample those rates end with (placements), or null
     */
    public List<Finding> onNic(NicRates rates, NicSample sample, InterruptRates interruptRates,
                               InterruptSample interrupts) {
        List<Finding> findings = new ArrayList<>(nicRxDrops.evaluate(rates));
        int cpus = interrupts != null ? interrupts.getOnlineCpus().size()
                : interruptRates != null ? interruptRates.getCpus().size() : 0;
        findings.addAll(nicChannels.evaluate(sample, cpus));
        findings.addAll(nicCoalescing.evaluate(sample));
        findings.addAll(nicIrqRate.evaluate(interruptRates, interrupts, sample));
        return findings;
    }

    /**
     * The detectors only the doctor runs so far.
     *
     * @param forwarding  {@code net.ipv4.ip_forward} is 1 (not in a sample yet)
     * @param ipv4Uplinks how many interfaces carry an IPv4 default route (not in a sample yet)
     */
    public List<Finding> hostOnly(InterruptRates interruptRates, KernelRates kernelRates, InterfaceConfigSample config,
            KernelSettingsSample kernel, boolean forwarding, int ipv4Uplinks) {
        List<Finding> findings = new ArrayList<>(softirqLoad.evaluate(interruptRates));
        findings.addAll(fragmentation.evaluate(kernelRates));
        findings.addAll(udpSendBufferErrors.evaluate(kernelRates));
        findings.addAll(rfsOff.evaluate(config, kernel));
        findings.addAll(rpFilter.evaluate(kernel, forwarding, ipv4Uplinks));
        findings.addAll(governor.evaluate(kernel));
        return findings;
    }
}
