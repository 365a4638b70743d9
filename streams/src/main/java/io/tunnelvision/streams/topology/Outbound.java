package io.tunnelvision.streams.topology;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/** A record a stage emits together with where it goes; never serialized, it lives between a processor and its sinks. */
public record Outbound(Destination destination, SpecificRecord value) {

    /** Where a stage's output goes. */
    public enum Destination {
        INTERRUPT_RATES, SOFTNET_RATES, LINK_RATES, KERNEL_RATES, HOTSPOTS, COMMANDS, PROPOSALS, OUTCOMES,
        /** Decisions the gate refused, to the dead-letter topic with headers saying why. */
        REFUSED_DECISIONS,
        /** The single-partition fleet stage (fleet detectors and the command gate). */
        FLEET
    }

    public Outbound {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(value, "value");
    }
}
