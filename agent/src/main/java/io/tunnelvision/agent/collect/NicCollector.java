package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ethtool reports of each NIC: rings ({@code -g}), channels ({@code -l}), coalescing ({@code -c}), offloads
 * ({@code -k}), the driver ({@code -i}) and the drop counters ({@code -S}, names normalised by
 * {@link NicCounterNames}). No file holds them (they are answered over the ethtool netlink family or the
 * SIOCETHTOOL ioctl, which the JDK speaks neither of), so the collector runs ethtool: only from a fixed list of
 * system directories, as an argument list, and only for the NICs: interfaces with a {@code device} link in
 * sysfs (a bus device backs them: the underlays of the tunnels), plus the interfaces the configuration names.
 *
 * <p>Cost: a launch of ethtool is some 1 to 2 ms of CPU (BENCHMARKS.md). The settings (five launches per NIC)
 * are read every {@link NicCadence#settingsEvery} rounds and in the round after a command was answered; the
 * counters (one launch) every {@link NicCadence#countersEvery} rounds. A sample is published only in the rounds
 * that read the counters or the settings (the other rounds give none, so a consumer never sees stale counters
 * under a new time): its header's time is when the counters were read.
 *
 * <p>ethtool missing or failing for {@code -i}: the NIC is left out, the round counted in
 * {@link #unavailableRounds()}, one warning until it works again. A device that does not support one of the
 * queries (veth has no rings, most virtual NICs no coalescing) gives nulls for that query, not an error.
 */
public final class NicCollector implements Collector<NicSample> {

    public static final String NAME = "nic";
    /** Where distributions install ethtool; the agent looks nowhere else (never $PATH). */
    public static final List<Path> ETHTOOL_LOCATIONS = List.of(Path.of("/usr/sbin/ethtool"),
            Path.of("/sbin/ethtool"), Path.of("/usr/bin/ethtool"), Path.of("/bin/ethtool"));

    private static final Logger LOG = LoggerFactory.getLogger(NicCollector.class);
    private static final Path LIVE_PROC = Path.of("/proc");

    private final Path classNet;
    private final SettingsRefresh.Clock settingsClock;
    private final NicCadence cadence;
    private final Set<String> named;
    private final Function<List<String>, String> commands;
    private final Map<String, Settings> settings = new HashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final ToolHealth ethtool = new ToolHealth(LOG);
    private int roundsSinceCounters;
    private boolean first = true;

    /** The settings of one NIC as read last. */
    private record Settings(String driver, EthtoolParse.Rings rings, EthtoolParse.Channels channels,
                            EthtoolParse.Coalesce coalesce, Map<String, Boolean> features) {
    }

    /**
     * @param sysRoot  where {@code class/net} is listed to find the NICs
     * @param refresh  asks for the settings again after a command ({@link SettingsRefresh#requestNow()})
     * @param named    interfaces read as NICs even without a device link (a veth underlay in a container)
     * @param commands runs {@code ethtool <args>} (the first element is {@code ethtool}) and answers its output,
     *                 or null when it cannot run or fails; null runs nothing, so that every sample is empty
     */
    public NicCollector(Path sysRoot, SettingsRefresh refresh, NicCadence cadence, Set<String> named,
                        Function<List<String>, String> commands) {
        this.classNet = sysRoot.resolve("class/net");
        this.settingsClock = refresh.clock(cadence.settingsEvery());
        this.cadence = cadence;
        this.named = Set.copyOf(named);
        this.commands = commands;
    }

    /**
     * For the live host (proc root {@code /proc}): the first ethtool of {@link #ETHTOOL_LOCATIONS}. Any other proc
     * root is a test tree or a simulated gateway, of which ethtool knows nothing: the samples are empty.
     */
    public static NicCollector of(Path procRoot, Path sysRoot, SettingsRefresh refresh, NicCadence cadence,
                                  Set<String> named) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new NicCollector(sysRoot, refresh, cadence, named, live ? NicCollector::runInstalled : null);
    }

    private static String runInstalled(List<String> command) {
        Path binary = ETHTOOL_LOCATIONS.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (binary == null) {
            return null;
        }
        List<String> argv = new ArrayList<>(command);
        argv.set(0, binary.toString());
        return ToolRun.run(argv);
    }

    @Override
    public synchronized NicSample collect(SampleHeader header) throws CollectException {
        boolean settingsDue = settingsClock.due();
        boolean countersDue = first || ++roundsSinceCounters >= cadence.countersEvery();
        if (!settingsDue && !countersDue) {
            return null;
        }
        first = false;
        roundsSinceCounters = 0;
        List<Nic> nics = new ArrayList<>();
        if (commands == null) {
            return new NicSample(header, nics);
        }
        List<String> names = nicInterfaces();
        settings.keySet().retainAll(names);
        boolean anyFailed = false;
        for (String name : names) {
            Settings s = settings.get(name);
            if (s == null || settingsDue) {
                s = readSettings(name);
                if (s == null) {
                    anyFailed = true;
                    settings.remove(name);
                    continue;
                }
                settings.put(name, s);
            }
            nics.add(nic(name, s, run("-S", name)));
        }
        if (anyFailed) {
            ethtool.failed("ethtool -i did not work for some of the NICs {} (ethtool not installed in {}, or the "
                    + "interface went away): they are published without NIC settings until it does", names,
                    ETHTOOL_LOCATIONS);
        } else {
            ethtool.worked("ethtool works again: NIC settings are published");
        }
        return new NicSample(header, nics);
    }

    private Settings readSettings(String name) {
        String info = run("-i", name);
        if (info == null) {
            return null;
        }
        return new Settings(EthtoolParse.driver(info), EthtoolParse.rings(run("-g", name)),
                EthtoolParse.channels(run("-l", name)), EthtoolParse.coalesce(run("-c", name)),
                EthtoolParse.features(run("-k", name)));
    }

    private Nic nic(String name, Settings s, String statsText) {
        Map<String, Long> counters = Map.of();
        Nic nic = new Nic();
        nic.setInterface$(name);
        nic.setDriver(s.driver());
        nic.setRxRing(s.rings().rx());
        nic.setRxRingMax(s.rings().rxMax());
        nic.setTxRing(s.rings().tx());
        nic.setTxRingMax(s.rings().txMax());
        nic.setCombinedChannels(s.channels().combined());
        nic.setCombinedChannelsMax(s.channels().combinedMax());
        nic.setRxChannels(s.channels().rx());
        nic.setRxChannelsMax(s.channels().rxMax());
        nic.setRxUsecs(s.coalesce().rxUsecs());
        nic.setRxFrames(s.coalesce().rxFrames());
        nic.setTxUsecs(s.coalesce().txUsecs());
        nic.setAdaptiveRx(s.coalesce().adaptiveRx());
        nic.setFeatures(new LinkedHashMap<>(s.features()));
        if (statsText != null) {
            EthtoolParse.Stats stats = EthtoolParse.stats(statsText);
            if (!stats.malformed().isEmpty()) {
                malformed.addAndGet(stats.malformed().size());
                LOG.debug("ethtool -S {}: skipped {}", name, stats.malformed());
            }
            counters = stats.counters();
        }
        nic.setCounters(new LinkedHashMap<>(NicCounterNames.device(counters)));
        nic.setQueues(new ArrayList<>(NicCounterNames.queues(counters)));
        return nic;
    }

    private String run(String option, String name) {
        return commands.apply(List.of("ethtool", option, name));
    }

    /** Interfaces backed by a bus device, and the named ones that exist, sorted. */
    private List<String> nicInterfaces() throws CollectException {
        List<String> nics = new ArrayList<>();
        for (String name : Dirs.interfaces(classNet)) {
            if (named.contains(name) || Files.exists(classNet.resolve(name).resolve("device"))) {
                nics.add(name);
            }
        }
        return nics;
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    @Override
    public long unavailableRounds() {
        return ethtool.unavailableRounds();
    }
}
