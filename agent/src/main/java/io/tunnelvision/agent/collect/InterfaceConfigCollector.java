package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings of every interface in {@code /sys/class/net}: MTU, txqueuelen, state, kind, RPS per receive
 * queue, and the underlay. See {@link InterfaceKinds} for how kind and underlay are told from sysfs, and
 * {@link RoutedUnderlays} for the underlay of a tunnel sysfs has no link for (WireGuard, tun, tap).
 *
 * <p>An interface whose ifindex, type, mtu or tx_queue_len cannot be read is left out with a debug line (it
 * was most likely deleted while being read); one whose files hold no number is left out and counted as
 * malformed. A missing {@code rps_cpus} or {@code rps_flow_cnt} (kernels without CONFIG_RPS) is a null field.
 *
 * <p>Everything here is a setting except the operational state, so between two reads that the
 * {@link SettingsRefresh} asks for, an interface read before costs two files a round: {@code operstate}, and
 * {@code ifindex}, which tells an interface deleted and created again under the same name (its settings are then
 * read at once, as are those of an interface not seen before). The directory is listed every round.
 */
public final class InterfaceConfigCollector implements Collector<InterfaceConfigSample> {

    public static final String NAME = "interface-config";

    private static final Logger LOG = LoggerFactory.getLogger(InterfaceConfigCollector.class);

    private static final Comparator<String> BY_QUEUE_NUMBER =
            Comparator.comparingLong(InterfaceConfigCollector::queueNumber).thenComparing(Comparator.naturalOrder());

    private final Path classNet;
    private final SmallFiles files = new SmallFiles();
    private final AtomicLong malformed = new AtomicLong();

    private final SettingsRefresh.Clock refresh;
    private final RoutedUnderlays routed;
    private Map<String, Settings> lastRead = Map.of();
    /** Underlays of the tunnels that route their packets, found when the settings were last read. */
    private Map<String, String> routedUnderlays = Map.of();

    public InterfaceConfigCollector(Path sysRoot) {
        this(sysRoot, SettingsRefresh.everyRound());
    }

    /** @param refresh when every interface's settings are read again, not only its state */
    public InterfaceConfigCollector(Path sysRoot, SettingsRefresh refresh) {
        this(sysRoot, refresh, RoutedUnderlays.none());
    }

    /** @param routed the underlays of tunnels that have no kernel link, asked when the settings are read */
    public InterfaceConfigCollector(Path sysRoot, SettingsRefresh refresh, RoutedUnderlays routed) {
        this.classNet = sysRoot.resolve("class/net");
        this.refresh = refresh.clock();
        this.routed = routed;
    }

    @Override
    public synchronized InterfaceConfigSample collect(SampleHeader header) throws CollectException {
        List<String> names = Dirs.interfaces(classNet);
        // Two passes, because an underlay is named by its ifindex and may come later in the listing.
        boolean readAll = refresh.due();
        List<Settings> read = new ArrayList<>(names.size());
        Map<String, Settings> byName = new HashMap<>();
        Map<Integer, String> namesByIfindex = new HashMap<>();
        for (String name : names) {
            Settings settings = readAll ? null : withCurrentState(lastRead.get(name));
            if (settings == null) {
                settings = read(name);
            }
            if (settings != null) {
                read.add(settings);
                byName.put(name, settings);
                namesByIfindex.put(settings.facts().ifindex(), name);
            }
        }
        lastRead = byName;
        Map<String, InterfaceKind> kinds = new HashMap<>();
        Map<String, String> underlays = new HashMap<>();
        Map<String, InterfaceKind> routedTunnels = new HashMap<>();
        Map<String, Integer> mtus = new HashMap<>();
        for (Settings s : read) {
            InterfaceKind kind = InterfaceKinds.kind(s.facts(), routed::userspaceWireGuard);
            String underlay = InterfaceKinds.underlay(s.facts(), kind, namesByIfindex);
            kinds.put(s.facts().name(), kind);
            mtus.put(s.facts().name(), s.mtu());
            if (underlay != null) {
                underlays.put(s.facts().name(), underlay);
            } else if (InterfaceKinds.routesItsPackets(kind)) {
                routedTunnels.put(s.facts().name(), kind);
            }
        }
        // routes, processes and wg are asked when the settings are read, or for a tunnel not seen before
        if (readAll || !routedUnderlays.keySet().containsAll(routedTunnels.keySet())) {
            routedUnderlays = routed.underlays(routedTunnels, mtus);
        }
        List<InterfaceConfig> interfaces = new ArrayList<>(read.size());
        for (Settings s : read) {
            String name = s.facts().name();
            interfaces.add(new InterfaceConfig(name, s.facts().ifindex(), kinds.get(name), s.mtu(), s.txQueueLen(),
                    s.operState(), s.rxQueues(), underlays.getOrDefault(name, routedUnderlays.get(name))));
        }
        return new InterfaceConfigSample(header, interfaces);
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    /**
     * {@code known} with the operational state read now, or null if it must be read whole: not known, gone, or
     * another interface under the same name (another ifindex).
     */
    private Settings withCurrentState(Settings known) {
        if (known == null) {
            return null;
        }
        Path dir = classNet.resolve(known.facts().name());
        try {
            Integer ifindex = integer(dir.resolve("ifindex"));
            String operState = files.read(dir.resolve("operstate"));
            if (ifindex == null || ifindex != known.facts().ifindex()) {
                return null;
            }
            return new Settings(known.facts(), known.mtu(), known.txQueueLen(),
                    operState == null ? "unknown" : operState, known.rxQueues());
        } catch (NumberFormatException | IOException e) {
            return null; // the whole read says what is wrong
        }
    }

    /** What one interface directory holds, or null if it could not be read. */
    private Settings read(String name) {
        Path dir = classNet.resolve(name);
        try {
            Integer ifindex = integer(dir.resolve("ifindex"));
            Integer type = integer(dir.resolve("type"));
            Integer mtu = integer(dir.resolve("mtu"));
            Integer txQueueLen = integer(dir.resolve("tx_queue_len"));
            if (ifindex == null || type == null || mtu == null || txQueueLen == null) {
                LOG.debug("{} lacks ifindex, type, mtu or tx_queue_len: skipped (interface gone?)", dir);
                return null;
            }
            Integer iflink = integer(dir.resolve("iflink"));
            String operState = files.read(dir.resolve("operstate"));
            String tunFlags = files.read(dir.resolve("tun_flags"));
            List<String> lowers = new ArrayList<>();
            for (String link : Dirs.entries(dir, "lower_")) {
                lowers.add(link.substring("lower_".length()));
            }
            InterfaceFacts facts = new InterfaceFacts(name, ifindex, iflink == null ? ifindex : iflink, type,
                    InterfaceKinds.devType(files.read(dir.resolve("uevent"))),
                    tunFlags == null ? null : Integer.decode(tunFlags), Files.exists(dir.resolve("device")), lowers);
            return new Settings(facts, mtu, txQueueLen, operState == null ? "unknown" : operState, rxQueues(dir));
        } catch (NumberFormatException e) {
            malformed.incrementAndGet();
            LOG.debug("{} has a file that should hold a number but does not: skipped ({})", dir, e.getMessage());
            return null;
        } catch (IOException e) {
            LOG.debug("Cannot read {}: skipped (interface gone?): {}", dir, e.getMessage());
            return null;
        }
    }

    private List<RxQueue> rxQueues(Path dir) throws IOException {
        Path queues = dir.resolve("queues");
        List<String> names = Dirs.entries(queues, "rx-");
        names.sort(BY_QUEUE_NUMBER);
        List<RxQueue> rxQueues = new ArrayList<>(names.size());
        for (String queue : names) {
            Path q = queues.resolve(queue);
            String rpsCpus = files.read(q.resolve("rps_cpus"));
            Integer rpsFlowCnt = integer(q.resolve("rps_flow_cnt"));
            if (rpsCpus == null) {
                LOG.debug("{} does not exist (kernel without CONFIG_RPS?)", q.resolve("rps_cpus"));
            }
            rxQueues.add(new RxQueue(queue, rpsCpus, rpsFlowCnt));
        }
        return rxQueues;
    }

    private Integer integer(Path file) throws IOException {
        String text = files.read(file);
        return text == null ? null : Integer.valueOf(text);
    }

    /** 10 for rx-10, so that rx-10 follows rx-9. */
    private static long queueNumber(String queue) {
        long n = Scan.decimal(queue, queue.indexOf('-') + 1, queue.length());
        return n < 0 ? Long.MAX_VALUE : n;
    }

    /** One interface as read, kept until every ifindex is known. */
    private record Settings(InterfaceFacts facts, int mtu, int txQueueLen, String operState,
            List<RxQueue> rxQueues) {
    }
}
