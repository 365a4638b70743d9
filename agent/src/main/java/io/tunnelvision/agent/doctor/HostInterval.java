package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.detect.TunnelDownDetector;
import io.tunnelvision.rules.plan.HostContext;
import io.tunnelvision.rules.rates.InterruptRateCalculator;
import io.tunnelvision.rules.rates.KernelRateCalculator;
import io.tunnelvision.rules.rates.LinkRateCalculator;
import io.tunnelvision.rules.rates.SoftnetRateCalculator;
import io.tunnelvision.rules.rates.NicRateCalculator;
import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.rules.rates.WireguardRateCalculator;
import io.tunnelvision.rules.rates.WireguardRates;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Two readings of one host and the rates between them, taken by the rules' calculators as the fleet takes them:
 * the view the detectors judge and the checks explain. Settings come from the second (latest) reading.
 */
final class HostInterval {

    private final HostReading second;
    private final double seconds;
    private final InterruptRates interruptRates;
    private final SoftnetRates softnetRates;
    private final LinkRates linkRates;
    private final KernelRates kernelRates;
    /** Null unless both readings have a WireGuard sample. */
    private final WireguardRates wireguardRates;
    /** Null unless both readings have a NIC sample. */
    private final NicRates nicRates;
    /** Null unless both readings have a qdisc sample. */
    private final QdiscRates qdiscRates;

    HostInterval(HostReading first, HostReading second) {
        Duration between = Duration.between(first.takenAt(), second.takenAt());
        if (between.toMillis() < 1) {
            throw new IllegalArgumentException("The second reading (" + second.takenAt() + ") must be at least 1 ms "
                    + "later than the first (" + first.takenAt() + "): rates need a positive interval");
        }
        this.second = second;
        this.seconds = between.toNanos() / 1e9;
        this.interruptRates = new InterruptRateCalculator().between(first.interrupts(), second.interrupts());
        this.softnetRates = new SoftnetRateCalculator().between(first.softnet(), second.softnet());
        this.linkRates = new LinkRateCalculator().between(first.links(), second.links());
        this.kernelRates = new KernelRateCalculator().between(first.kernel(), second.kernel());
        this.wireguardRates = first.wireguard() == null || second.wireguard() == null ? null
                : new WireguardRateCalculator().between(first.wireguard(), second.wireguard());
        this.nicRates = first.nic() == null || second.nic() == null ? null
                : new NicRateCalculator().between(first.nic(), second.nic());
        this.qdiscRates = first.qdisc() == null || second.qdisc() == null ? null
                : new QdiscRateCalculator().between(first.qdisc(), second.qdisc());
    }

    /**
     * Every detector's findings over this interval, good and bad: the fleet's in the order its per-host stage
     * chains them (no probe results: the doctor sends no probes), then those only the doctor runs so far.
     */
    List<Finding> judge(HostDetectors detectors) {
        List<Finding> findings = new ArrayList<>(detectors.onInterrupts(interruptRates, second.interrupts(), second.interfaces()));
        findings.addAll(detectors.onSoftnet(softnetRates));
        findings.addAll(detectors.onLink(linkRates, second.interfaces(), interruptRates));
        // no link rates: the doctor's fixtures and HostBuilder give their tunnels no packets, which would hide
        // every MTU finding behind the rules' tunnel-traffic condition (see MtuMismatchDetector)
        findings.addAll(detectors.onKernel(kernelRates, second.interfaces(), null, null));
        findings.addAll(detectors.onWireguard(wireguardRates));
        findings.addAll(detectors.onPmtu(second.pmtu()));
        findings.addAll(detectors.onNic(nicRates, second.nic(), interruptRates, second.interrupts()));
        findings.addAll(detectors.onQdisc(qdiscRates, second.interfaces()));
        findings.addAll(detectors.hostOnly(interruptRates, kernelRates, second.interfaces(), second.kernel(),
                Boolean.TRUE.equals(facts().ipForwarding()), ipv4Uplinks().size()));
        return findings;
    }

    /**
     * What the planner would know of this host: its latest settings, the CPUs online, each IRQ's configured
     * affinity and where the interrupts landed, its NICs and root qdiscs, with the fleet's default thresholds.
     */
    HostContext hostContext() {
        return new HostContext(second.interfaces(), second.kernel(), second.interrupts().getOnlineCpus(),
                second.interrupts(), interruptRates, DetectionThresholds.defaults(), second.nic(), second.qdisc());
    }

    /** Each WireGuard peer over the interval, as the later reading shows it. */
    Optional<WireguardRates.PeerRate> peer(String target) {
        if (wireguardRates == null) {
            return Optional.empty();
        }
        return wireguardRates.peers().stream()
                .filter(p -> TunnelDownDetector.target(p.iface(), p.peer().getPublicKey()).equals(target))
                .findFirst();
    }

    /** The path-MTU probes of the later reading, or null. */
    PmtuSample pmtu() {
        return second.pmtu();
    }

    /** The NIC sample of the later reading, or null. */
    /** The qdiscs over the interval, or null when a reading had no qdisc sample. */
    QdiscRates qdiscRates() {
        return qdiscRates;
    }

    NicSample nic() {
        return second.nic();
    }

    /** Each NIC's drop rates over the interval, or empty when a reading had no NIC sample. */
    Optional<NicRates.NicRate> nicRate(String iface) {
        return nicRates == null ? Optional.empty()
                : nicRates.nics().stream().filter(n -> n.iface().equals(iface)).findFirst();
    }

    double seconds() {
        return seconds;
    }

    HostFacts facts() {
        return second.facts();
    }

    KernelSettingsSample kernel() {
        return second.kernel();
    }

    InterruptRates interruptRates() {
        return interruptRates;
    }

    SoftnetRates softnetRates() {
        return softnetRates;
    }

    KernelRates kernelRates() {
        return kernelRates;
    }

    Optional<LinkRate> link(String name) {
        return linkRates.getInterfaces().stream().filter(l -> l.getName().equals(name)).findFirst();
    }

    /** Interfaces of the second reading, in the collector's order. */
    List<InterfaceConfig> interfaces() {
        return second.interfaces().getInterfaces();
    }

    Optional<InterfaceConfig> iface(String name) {
        return interfaces().stream().filter(i -> i.getName().equals(name)).findFirst();
    }

    /** Interfaces with an IPv4 default route of the main table. */
    TreeSet<String> ipv4Uplinks() {
        TreeSet<String> uplinks = new TreeSet<>();
        for (DefaultRoute r : facts().defaultRoutes()) {
            if (!r.ipv6()) {
                uplinks.add(r.iface());
            }
        }
        return uplinks;
    }
}
