package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A tun, tap or WireGuard device whose txqueuelen is 0 where a queue 0 packets long drops what it should hold.
 * What the kernel does with txqueuelen 0 (measured on 6.18, and in its sources since 5.15):
 * <ul>
 *   <li>A <b>tun or tap</b> sizes its own ring of packets waiting for the userspace reader by txqueuelen
 *       ({@code tun_queue_resize}): at 0 it drops every packet it is given, whatever the qdisc above it
 *       (2,000 of 2,000 datagrams dropped under noqueue and under pfifo_fast alike). This covers wireguard-go,
 *       OpenVPN and every userspace tunnel: always a finding.</li>
 *   <li>Any other device under a <b>queueing root qdisc whose length is txqueuelen</b> (pfifo_fast's ring is
 *       resized to txqueuelen when it changes; pfifo and bfifo without a limit take it at creation): a queue of 0
 *       packets, so every packet the driver cannot take at once is dropped. A finding.</li>
 *   <li>A device brought up with txqueuelen 0 whose default qdisc could not be made gets <b>noqueue</b> (the
 *       kernel's fallback since 5.15, "default qdisc (pfifo_fast) fail, fallback to noqueue"), as does kernel
 *       WireGuard, which queues per peer itself: txqueuelen does not matter there. No finding.</li>
 * </ul>
 * The sample's kind cannot tell kernel WireGuard from wireguard-go (both are WIREGUARD), so a WIREGUARD device is
 * judged by its root qdisc: a wireguard-go under noqueue with txqueuelen 0 drops in its tun ring, which
 * {@code TX_DROPS} sees.
 */
public final class TxQueueLenZeroDetector {

    /** Root qdiscs whose queue is as long as txqueuelen when it has no limit of its own. */
    static final Set<String> TXQUEUELEN_QUEUES = Set.of("pfifo_fast", "pfifo", "bfifo");

    public List<Finding> evaluate(QdiscRates rates, InterfaceConfigSample config) {
        List<Finding> findings = new ArrayList<>();
        if (config == null) {
            return findings;
        }
        for (InterfaceConfig iface : config.getInterfaces()) {
            InterfaceKind kind = iface.getKind();
            if (kind != InterfaceKind.TUN && kind != InterfaceKind.TAP && kind != InterfaceKind.WIREGUARD) {
                continue;
            }
            Optional<String> root = rates == null ? Optional.empty()
                    : rates.root(iface.getName()).map(q -> q.qdisc().getKind());
            boolean tunRing = kind != InterfaceKind.WIREGUARD;
            if (!tunRing && root.isEmpty()) {
                continue; // no qdisc sample: unknown
            }
            boolean zero = iface.getTxQueueLen() == 0;
            boolean queueing = root.map(TXQUEUELEN_QUEUES::contains).orElse(false);
            Map<String, Double> evidence = Map.of("txQueueLen", (double) iface.getTxQueueLen(),
                    "queueingRoot", queueing ? 1.0 : 0.0);
            if (zero && (tunRing || queueing)) {
                String why = tunRing
                        ? "its ring towards the userspace reader is txqueuelen long, so it drops every packet"
                        : "its root qdisc " + root.get() + " queues txqueuelen packets, so it drops whatever the"
                                + " device cannot send at once";
                findings.add(new Finding(HotspotType.TXQUEUELEN_ZERO, iface.getName(), true, Severity.CRITICAL, 1,
                        evidence, iface.getName() + " (" + kind + (root.map(r -> ", root qdisc " + r).orElse(""))
                                + ") has txqueuelen 0: " + why));
            } else {
                findings.add(Finding.good(HotspotType.TXQUEUELEN_ZERO, iface.getName(), 0, evidence));
            }
        }
        return findings;
    }
}
