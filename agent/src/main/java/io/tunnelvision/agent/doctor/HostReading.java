package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the doctor reads of a host at one moment: the samples the agent publishes and the {@link HostFacts}
 * no sample carries. Two readings some seconds apart give the rates the checks judge.
 *
 * @param takenAt   when the reading was made; the difference between two readings is the interval of every rate
 * @param wireguard the WireGuard interfaces and peers, or null when the agent has no WireGuard collector
 *                  registered (or it is switched off): the WireGuard check then finds nothing
 * @param pmtu      the path-MTU probes of the WireGuard peers, or null when the agent has no such collector
 * @param nic       the NICs' rings, channels, coalescing and drop counters, or null without a NIC collector
 * @param qdisc     every qdisc and BQL queue, or null when the agent has no qdisc collector or {@code tc} failed
 */
public record HostReading(Instant takenAt, InterruptSample interrupts, SoftnetSample softnet, LinkSample links,
        InterfaceConfigSample interfaces, KernelSettingsSample kernel, HostFacts facts, WireguardSample wireguard, PmtuSample pmtu,
        NicSample nic, QdiscSample qdisc) {

    public HostReading {
        Objects.requireNonNull(takenAt, "takenAt");
        Objects.requireNonNull(interrupts, "interrupts");
        Objects.requireNonNull(softnet, "softnet");
        Objects.requireNonNull(links, "links");
        Objects.requireNonNull(interfaces, "interfaces");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(facts, "facts");
    }

    /** A reading without WireGuard samples. */
    public HostReading(Instant takenAt, InterruptSample interrupts, SoftnetSample softnet, LinkSample links,
            InterfaceConfigSample interfaces, KernelSettingsSample kernel, HostFacts facts) {
        this(takenAt, interrupts, softnet, links, interfaces, kernel, facts, null, null, null, null);
    }

    /** This reading with {@code sample} as its WireGuard sample. */
    public HostReading withWireguard(WireguardSample sample) {
        return new HostReading(takenAt, interrupts, softnet, links, interfaces, kernel, facts, sample, pmtu, nic,
                qdisc);
    }

    /** This reading with {@code sample} as its path-MTU sample. */
    public HostReading withPmtu(PmtuSample sample) {
        return new HostReading(takenAt, interrupts, softnet, links, interfaces, kernel, facts, wireguard, sample, nic,
                qdisc);
    }

    /** This reading with {@code sample} as its NIC sample. */
    public HostReading withNic(NicSample sample) {
        return new HostReading(takenAt, interrupts, softnet, links, interfaces, kernel, facts, wireguard, pmtu, sample,
                qdisc);
    }

    /** This reading with {@code sample} as its qdisc sample. */
    public HostReading withQdisc(QdiscSample sample) {
        return new HostReading(takenAt, interrupts, softnet, links, interfaces, kernel, facts, wireguard, pmtu, nic,
                sample);
    }

    /** The WireGuard sample, empty when none was read. */
    public Optional<WireguardSample> wireguardSample() {
        return Optional.ofNullable(wireguard);
    }
}
