package io.tunnelvision.agent.doctor;

import io.tunnelvision.agent.collect.CollectException;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.collect.RegisteredCollector;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a {@link HostReading} with the agent's own collectors (the samples it publishes, built by the same
 * registry) plus a {@link HostFactsReader}.
 */
public final class HostReader {

    private static final Logger LOG = LoggerFactory.getLogger(HostReader.class);

    static final String HOST_ID = "doctor";
    private static final String BOOT_ID = "";
    private static final String VERSION = "doctor";

    private final CollectorRegistry registry;
    private final HostFactsReader facts;
    private final Clock clock;
    private long sequence;

    public HostReader(Path procRoot, Path sysRoot, Clock clock) {
        this(procRoot, sysRoot, Set.of(), clock);
    }

    /** @param nicInterfaces read as NICs even without a bus device, as by the agent (NicCollector) */
    public HostReader(Path procRoot, Path sysRoot, Set<String> nicInterfaces, Clock clock) {
        this(CollectorRegistry.standard(procRoot, sysRoot, InterruptsParser.DEFAULT_DEVICES,
                SettingsRefresh.everyRound(), PmtuSchedule.inline(), SettingsRefresh.everyRound(), nicInterfaces),
                new HostFactsReader(procRoot, sysRoot), clock);
    }

    HostReader(CollectorRegistry registry, HostFactsReader facts, Clock clock) {
        this.registry = registry;
        this.facts = facts;
        this.clock = clock;
    }

    /** @throws DoctorException when a file every kernel has cannot be read (wrong root) */
    public HostReading read() {
        return read(clock.instant());
    }

    /**
     * A reading dated {@code at}, in its samples' headers too, since the rates are taken between those: for
     * fixture trees, which have no time of their own.
     */
    public HostReading read(Instant at) {
        SampleHeader header = new SampleHeader(HOST_ID, BOOT_ID, sequence++, at.toEpochMilli(), VERSION);
        InterruptSample interrupts = collect(InterruptSample.class, header);
        return new HostReading(at, interrupts, collect(SoftnetSample.class, header),
                collect(LinkSample.class, header), collect(InterfaceConfigSample.class, header),
                collect(KernelSettingsSample.class, header), facts.read(interrupts.getOnlineCpus()),
                optional(WireguardSample.class, header), optional(PmtuSample.class, header),
                optional(NicSample.class, header), optional(QdiscSample.class, header));
    }

    /**
     * A sample of a collector the agent may lack (WireGuard: registered once its collector is, switched off by
     * configuration, or with nothing to read on this host): null when there is none or it cannot read, so that the
     * other checks still run; the check that needs it then finds nothing.
     */
    private <T extends SpecificRecord> T optional(Class<T> type, SampleHeader header) {
        RegisteredCollector<T> collector = registry.find(type).orElse(null);
        if (collector == null) {
            return null;
        }
        try {
            return collector.collect(header);
        } catch (CollectException e) {
            LOG.warn("The doctor could not read {}: {}", type.getSimpleName(), e.getMessage());
            return null;
        }
    }

    private <T extends SpecificRecord> T collect(Class<T> type, SampleHeader header) {
        RegisteredCollector<T> collector = registry.find(type).orElseThrow(
                () -> new IllegalStateException("No collector for " + type.getSimpleName()));
        try {
            return collector.collect(header);
        } catch (CollectException e) {
            throw new DoctorException("The doctor cannot read this host: " + e.getMessage(), e);
        }
    }
}
