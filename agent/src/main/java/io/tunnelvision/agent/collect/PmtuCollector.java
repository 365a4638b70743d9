package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path MTU of each WireGuard peer of this namespace ({@link WgPeerTargets}), probed through its tunnel by a
 * {@link PmtuProber}: the largest DF packet that passes, the smallest that does not, and the MTU an ICMP
 * "fragmentation needed" reported, if one came. Probing sends packets and waits for them, so it runs every
 * {@link PmtuSchedule#everyRounds()} rounds on the schedule's executor; every round publishes the paths of the
 * latest finished probing (none before the first), as the settings collectors send the values they read last.
 *
 * <p>At most {@value #MAX_PATHS} peers are probed a time, in the order {@code wg} lists them. {@code wg} or
 * {@code ping} missing, failing, or no WireGuard interface: no paths, and a round without {@code wg} output counts
 * in {@link #unavailableRounds()} with one warning until it works again. A path of which not even the floor passed
 * is published as it is (largest passed null): unreachable, or {@code ping} missing, which the rules do not call a
 * black hole. Other tunnel kinds are not probed: their peer has no overlay address the agent can learn.
 */
public final class PmtuCollector implements Collector<PmtuSample> {

    public static final String NAME = "pmtu";
    static final int MAX_PATHS = 16;
    static final List<String> ALLOWED_IPS = List.of("wg", "show", "all", "allowed-ips");
    static final List<String> ENDPOINTS = List.of("wg", "show", "all", "endpoints");

    private static final Logger LOG = LoggerFactory.getLogger(PmtuCollector.class);
    private static final Path LIVE_PROC = Path.of("/proc");

    private final WireguardInterfaces wireGuard;
    private final Function<List<String>, String> commands;
    private final PmtuSchedule schedule;
    private final SmallFiles files = new SmallFiles();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong probings = new AtomicLong();
    private volatile List<PmtuPath> latest = List.of();
    private final ToolHealth wg = new ToolHealth(LOG);
    private int roundsSinceProbe = -1;
    private long seenRequests;

    /**
     * @param commands runs a command and answers its output, or null when it fails or cannot run; null runs
     *        nothing, so that every sample is empty
     */
    public PmtuCollector(Path sysRoot, Path wireGuardSockets, Function<List<String>, String> commands,
                         PmtuSchedule schedule) {
        this.wireGuard = new WireguardInterfaces(sysRoot.resolve("class/net"), wireGuardSockets);
        this.commands = commands;
        this.schedule = schedule;
    }

    /** The live host's (proc root {@code /proc}) with {@code wg} and {@code ping}; for any other root, inert. */
    public static PmtuCollector of(Path procRoot, Path sysRoot, PmtuSchedule schedule) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new PmtuCollector(sysRoot, live ? Path.of("/run/wireguard") : null, live ? ToolRun::run : null,
                schedule);
    }

    @Override
    public synchronized PmtuSample collect(SampleHeader header) throws CollectException {
        if (commands == null) {
            return new PmtuSample(header, new ArrayList<>());
        }
        roundsSinceProbe++;
        long requests = schedule.requests();
        boolean due = roundsSinceProbe == 0 || roundsSinceProbe >= schedule.everyRounds() || requests != seenRequests;
        if (due && probing.compareAndSet(false, true)) {
            roundsSinceProbe = 0;
            seenRequests = requests;
            Set<String> local = wireGuard.local();
            try {
                schedule.executor().execute(() -> probeAll(local));
            } catch (RuntimeException e) {
                probing.set(false);
                LOG.warn("Could not start path-MTU probes: {}", e.toString());
            }
        }
        return new PmtuSample(header, new ArrayList<>(latest));
    }

    private void probeAll(Set<String> local) {
        try {
            latest = probe(local);
            probings.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("Path-MTU probes failed: {}", e.toString());
        } finally {
            probing.set(false);
        }
    }

    private List<PmtuPath> probe(Set<String> local) {
        List<PmtuPath> paths = new ArrayList<>();
        if (local.isEmpty()) {
            return paths;
        }
        String allowedIps = commands.apply(ALLOWED_IPS);
        if (allowedIps == null) {
            wg.failed("`wg show all allowed-ips` did not work: the path MTU of WireGuard interfaces {} is not "
                    + "probed until it does", local);
            return paths;
        }
        wg.worked("`wg show all allowed-ips` works again: the path MTU of WireGuard peers is probed");
        PmtuProber prober = new PmtuProber(commands);
        for (WgPeerTargets.Target target : WgPeerTargets.parse(allowedIps, commands.apply(ENDPOINTS))) {
            if (!local.contains(target.iface()) || paths.size() >= MAX_PATHS) {
                continue; // another namespace's userspace interface, or enough for one probing
            }
            Integer mtu = mtu(target.iface());
            if (mtu != null) {
                paths.add(prober.probe(target, mtu));
            }
        }
        return paths;
    }

    private Integer mtu(String iface) {
        Path file = wireGuard.classNet().resolve(iface).resolve("mtu");
        try {
            return Integer.parseInt(files.read(file).strip());
        } catch (IOException | NumberFormatException e) {
            LOG.debug("Cannot read {}: not probed: {}", file, e.getMessage());
            return null;
        }
    }

    /** Rounds in which {@code wg} gave no peers to probe although this host has WireGuard interfaces; only grows. */
    @Override
    public long unavailableRounds() {
        return wg.unavailableRounds();
    }

    /** Probings finished since this collector was made. */
    public long probings() {
        return probings.get();
    }
}
