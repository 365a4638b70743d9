package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every collector of the agent, in one place. Adding a source is one line in {@link #standard}; switching one
 * off is {@link #without}.
 */
public final class CollectorRegistry {

    private final List<RegisteredCollector<?>> collectors;

    private CollectorRegistry(List<RegisteredCollector<?>> collectors) {
        Set<String> names = new LinkedHashSet<>();
        for (RegisteredCollector<?> c : collectors) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("Two collectors are named " + c.name());
            }
        }
        this.collectors = List.copyOf(collectors);
    }

    /** The agent's collectors reading the given roots, keeping /proc/interrupts rows whose devices match. */
    public static CollectorRegistry standard(Path procRoot, Path sysRoot, Pattern irqDevices) {
        return standard(procRoot, sysRoot, irqDevices, SettingsRefresh.everyRound());
    }

    /** {@link #standard(Path, Path, Pattern)} reading the settings (not the counters) when {@code refresh} says. */
    public static CollectorRegistry standard(Path procRoot, Path sysRoot, Pattern irqDevices,
                                             SettingsRefresh refresh) {
        return standard(procRoot, sysRoot, irqDevices, refresh, PmtuSchedule.inline(),
                SettingsRefresh.everyRound());
    }

    /** As above, probing path MTUs on {@code pmtu}'s schedule and reading the qdiscs when {@code qdiscs} says. */
    public static CollectorRegistry standard(Path procRoot, Path sysRoot, Pattern irqDevices,
                                             SettingsRefresh refresh, PmtuSchedule pmtu, SettingsRefresh qdiscs) {
        return standard(procRoot, sysRoot, irqDevices, refresh, pmtu, qdiscs, Set.of());
    }

    /** As above, the NIC collector reading {@code nicInterfaces} too (veth underlays have no bus device). */
    public static CollectorRegistry standard(Path procRoot, Path sysRoot, Pattern irqDevices,
                                             SettingsRefresh refresh, PmtuSchedule pmtu, SettingsRefresh qdiscs,
                                             Set<String> nicInterfaces) {
        return new CollectorRegistry(List.of(
                register(InterruptCollector.NAME, InterruptSample.class,
                        new InterruptCollector(procRoot, sysRoot, irqDevices, refresh)),
                register(SoftnetCollector.NAME, SoftnetSample.class, new SoftnetCollector(procRoot)),
                register(LinkCollector.NAME, LinkSample.class, new LinkCollector(procRoot, sysRoot)),
                register(InterfaceConfigCollector.NAME, InterfaceConfigSample.class,
                        new InterfaceConfigCollector(sysRoot, refresh, RoutedUnderlays.of(procRoot))),
                register(KernelSettingsCollector.NAME, KernelSettingsSample.class,
                        new KernelSettingsCollector(procRoot, sysRoot, refresh)),
                register(WireguardCollector.NAME, WireguardSample.class, WireguardCollector.of(procRoot, sysRoot)),
                register(PmtuCollector.NAME, PmtuSample.class, PmtuCollector.of(procRoot, sysRoot, pmtu)),
                register(QdiscCollector.NAME, QdiscSample.class, QdiscCollector.of(procRoot, sysRoot, qdiscs)),
                register(NicCollector.NAME, NicSample.class, NicCollector.of(procRoot, sysRoot, refresh,
                        refresh.everyRounds() == 1 ? NicCadence.EVERY_ROUND : NicCadence.AGENT, nicInterfaces))));
    }

    /** {@link #standard(Path, Path, Pattern)} with {@link InterruptsParser#DEFAULT_DEVICES}. */
    public static CollectorRegistry standard(Path procRoot, Path sysRoot) {
        return standard(procRoot, sysRoot, InterruptsParser.DEFAULT_DEVICES);
    }

    /** A registry of exactly these collectors, for tests and simulations. */
    public static CollectorRegistry of(List<RegisteredCollector<?>> collectors) {
        return new CollectorRegistry(collectors);
    }

    public static <T extends SpecificRecord> RegisteredCollector<T> register(String name, Class<T> sampleType,
            Collector<T> collector) {
        return new RegisteredCollector<>(name, sampleType, collector);
    }

    /**
     * This registry without the named collectors.
     *
     * @throws IllegalArgumentException for a name no collector has, so that a typo in the configuration does
     *         not leave a collector running that someone meant to switch off
     */
    public CollectorRegistry without(Collection<String> disabled) {
        Set<String> unknown = new TreeSet<>(disabled);
        unknown.removeAll(names());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown collector(s) " + unknown + ": the collectors are "
                    + names());
        }
        List<RegisteredCollector<?>> kept = new ArrayList<>();
        for (RegisteredCollector<?> c : collectors) {
            if (!disabled.contains(c.name())) {
                kept.add(c);
            }
        }
        return new CollectorRegistry(kept);
    }

    public List<RegisteredCollector<?>> collectors() {
        return collectors;
    }

    /** Names in registration order. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (RegisteredCollector<?> c : collectors) {
            names.add(c.name());
        }
        return names;
    }

    /** The collector producing {@code sampleType}, if it is registered and not switched off. */
    @SuppressWarnings("unchecked") // checked: sampleType() is the T the collector was registered with
    public <T extends SpecificRecord> Optional<RegisteredCollector<T>> find(Class<T> sampleType) {
        for (RegisteredCollector<?> c : collectors) {
            if (c.sampleType().equals(sampleType)) {
                return Optional.of((RegisteredCollector<T>) c);
            }
        }
        return Optional.empty();
    }

    public List<CollectorStats> stats() {
        List<CollectorStats> stats = new ArrayList<>(collectors.size());
        for (RegisteredCollector<?> c : collectors) {
            stats.add(c.stats());
        }
        return stats;
    }
}
