package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything the doctor reads of a host at one moment: the five samples the agent publishes and the
 * {@link HostFacts} no sample carries. Two readings some seconds apart give the rates the checks judge.
 *
 * @param takenAt when the reading was made; the difference between two readings is the interval of every rate
 */
public record HostReading(Instant takenAt, InterruptSample interrupts, SoftnetSample softnet, LinkSample links,
        InterfaceConfigSample interfaces, KernelSettingsSample kernel, HostFacts facts) {

    public HostReading {
        Objects.requireNonNull(takenAt, "takenAt");
        Objects.requireNonNull(interrupts, "interrupts");
        Objects.requireNonNull(softnet, "softnet");
        Objects.requireNonNull(links, "links");
        Objects.requireNonNull(interfaces, "interfaces");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(facts, "facts");
    }
}
