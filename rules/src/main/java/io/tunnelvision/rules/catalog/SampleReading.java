package io.tunnelvision.rules.catalog;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.RxQueue;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the planner finds an action's current value in the host's latest samples: the value a command carries as
 * {@code expectedValue} for the agent's compare-and-set.
 */
public sealed interface SampleReading {

    /** A host-wide sysctl of the kernel settings sample; null when that kernel does not report it. */
    record Kernel(Function<KernelSettingsSample, Long> value) implements SampleReading {
    }

    /** A setting of the target interface in the interface config sample. */
    record Interface(Function<InterfaceConfig, Long> value) implements SampleReading {
    }

    /** A setting of one receive queue as the kernel prints it; null when the queue does not report it. */
    record Queue(Function<RxQueue, String> value) implements SampleReading {
    }

    /** A setting per CPU of the kernel settings sample, keyed by CPU id. */
    record PerCpu(Function<KernelSettingsSample, Map<String, String>> values) implements SampleReading {
    }

    /** The configured affinity of each IRQ of a set, from the interrupt samples (see {@code IrqSpread}). */
    record IrqAffinities() implements SampleReading {
    }

    /**
     * A setting of the target NIC in the NIC sample, as ethtool reports it (rings, channels, coalescing); null when
     * the device does not report it.
     */
    record NicSetting(Function<Nic, Integer> value) implements SampleReading {
    }

    /** The kind of the target interface's root qdisc in the qdisc sample ({@code pfifo_fast}, {@code htb}...). */
    record RootQdiscKind() implements SampleReading {
    }

    /** No sample gives a safe compare-and-set basis; a policy naming the action is reported, never executed. */
    record None(String why) implements SampleReading {
    }
}
