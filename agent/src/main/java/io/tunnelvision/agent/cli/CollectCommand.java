package io.tunnelvision.agent.cli;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.config.Env;
import io.tunnelvision.agent.run.CollectionRound;
import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code collect}: what the agent would publish, printed instead; no Kafka needed. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Read every source once (or every interval) and print it: a table, or JSON with --json.")
public final class CollectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--once", description = "Print one snapshot and exit.")
    boolean once;

    @Option(names = "--json", description = "Print JSON (one object per snapshot, one line each).")
    boolean json;

    @Option(names = "--proc-root", defaultValue = "/proc", description = "Where procfs is (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--sys-root", defaultValue = "/sys", description = "Where sysfs is (default: ${DEFAULT-VALUE}).")
    Path sysRoot;

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "Time between snapshots without --once (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        CollectorRegistry registry = CollectorRegistry.standard(procRoot, sysRoot, InterruptsParser.DEFAULT_DEVICES,
                SettingsRefresh.everyRound(), PmtuSchedule.inline(), SettingsRefresh.everyRound(),
                AgentConfig.nicInterfaces(Env.system()));
        CollectionRound round = new CollectionRound(registry);
        HostIdentity identity = HostIdentity.read(Hostname.of(procRoot), procRoot);
        long sequence = 0;
        do {
            SampleHeader header = new SampleHeader(identity.hostId(), identity.bootId(), sequence++,
                    System.currentTimeMillis(), identity.agentVersion());
            CollectionRound.Result result = round.collect(header);
            List<SpecificRecord> samples = result.samples();
            out.print(json ? json(registry, samples) + "\n" : SnapshotTable.render(samples));
            out.flush();
            if (!result.failures().isEmpty()) {
                result.failures().forEach((name, why) -> spec.commandLine().getErr()
                        .println("collector " + name + " failed: " + why));
                spec.commandLine().getErr().println("read from " + procRoot + " and " + sysRoot
                        + " (is that a proc/sys tree?)");
                if (once) {
                    return 1;
                }
            }
            if (!once) {
                Thread.sleep(interval.toMillis());
            }
        } while (!once);
        return 0;
    }

    /** Avro prints a record as JSON; keyed by collector name so a program finds each source. */
    static String json(CollectorRegistry registry, List<SpecificRecord> samples) {
        StringJoiner out = new StringJoiner(",", "{", "}");
        for (SpecificRecord sample : samples) {
            String name = registry.collectors().stream()
                    .filter(c -> c.sampleType().isInstance(sample))
                    .map(c -> c.name()).findFirst().orElse(sample.getClass().getSimpleName());
            out.add("\"" + name + "\":" + sample);
        }
        return out.toString();
    }
}
