package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each WireGuard interface's peers, from {@code wg show all dump} ({@link WgDump}): endpoint, allowed-IP count,
 * latest handshake, transfer counters and keepalive. No file holds them (kernel WireGuard answers on generic
 * netlink, wireguard-go and boringtun on a UAPI socket in {@code /run/wireguard}, both spoken by {@code wg}), so
 * the collector runs {@code wg} once a round, and only when this host has a WireGuard interface: one whose
 * {@code uevent} says {@code DEVTYPE=wireguard} (the kernel module), or one with a UAPI socket of its name (a
 * userspace implementation, whose interface is a tun).
 *
 * <p>Only the interfaces of this network namespace are kept: {@code /run/wireguard} is shared by every
 * namespace of the host, so {@code wg} also lists the userspace interfaces of other namespaces; an interface
 * that is not in {@code <sys root>/class/net} is left out.
 *
 * <p>{@code wg} not installed, failing (no CAP_NET_ADMIN for netlink, no access to a UAPI socket), or taking over
 * 2 s: the sample has no interfaces, the round is counted in {@link #unavailableRounds()}, and one warning is
 * logged, then no more until {@code wg} worked again. A malformed line of its output is skipped and counted; the
 * rest is kept. The private and preshared keys in the output are dropped by the parser and never logged.
 */
public final class WireguardCollector implements Collector<WireguardSample> {

    public static final String NAME = "wireguard";
    static final List<String> DUMP = List.of("wg", "show", "all", "dump");

    private static final Logger LOG = LoggerFactory.getLogger(WireguardCollector.class);
    private static final Path LIVE_PROC = Path.of("/proc");

    private final Path classNet;
    private final WireguardInterfaces wireGuard;
    private final Function<List<String>, String> commands;
    private final AtomicLong malformed = new AtomicLong();
    private final ToolHealth wg = new ToolHealth(LOG);

    /**
     * @param sysRoot where {@code class/net} is read to find this namespace's WireGuard interfaces
     * @param wireGuardSockets the directory of the userspace implementations' UAPI sockets, or null for none
     * @param commands runs a command and answers its output, or null when it cannot be run, fails or takes too
     *        long; null runs nothing, so that every sample is empty
     */
    public WireguardCollector(Path sysRoot, Path wireGuardSockets, Function<List<String>, String> commands) {
        this.classNet = sysRoot.resolve("class/net");
        this.wireGuard = new WireguardInterfaces(classNet, wireGuardSockets);
        this.commands = commands;
    }

    /**
     * For the live host (proc root {@code /proc}): {@code wg} and {@code /run/wireguard}. Any other proc root is
     * a test tree or a simulated gateway, of which {@code wg} knows nothing: the samples are empty.
     */
    public static WireguardCollector of(Path procRoot, Path sysRoot) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new WireguardCollector(sysRoot, live ? Path.of("/run/wireguard") : null, live ? ToolRun::run : null);
    }

    @Override
    public synchronized WireguardSample collect(SampleHeader header) throws CollectException {
        Set<String> local = wireGuard.local();
        if (local.isEmpty() || commands == null) {
            return new WireguardSample(header, new ArrayList<>());
        }
        String dump = commands.apply(DUMP);
        if (dump == null) {
            wg.failed("`wg show all dump` did not work (wireguard-tools not installed, no CAP_NET_ADMIN for kernel "
                    + "WireGuard, no access to the UAPI sockets in /run/wireguard, or over 2 s): WireGuard "
                    + "interfaces {} are published without peers until it does", local);
            return new WireguardSample(header, new ArrayList<>());
        }
        wg.worked("`wg show all dump` works again: WireGuard peers are published");
        WgDump.Parsed parsed = WgDump.parse(dump);
        if (!parsed.malformed().isEmpty()) {
            malformed.addAndGet(parsed.malformed().size());
            LOG.debug("wg show all dump: skipped {}", parsed.malformed());
        }
        List<WireguardInterface> kept = new ArrayList<>(parsed.interfaces().size());
        for (WireguardInterface iface : parsed.interfaces()) {
            if (local.contains(iface.getName())) {
                kept.add(iface);
            } else {
                LOG.debug("wg lists {}, which is not in {}: another network namespace's, left out", iface.getName(),
                        classNet);
            }
        }
        return new WireguardSample(header, kept);
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    /** Rounds in which this host had a WireGuard interface but {@code wg} gave no output; only grows. */
    @Override
    public long unavailableRounds() {
        return wg.unavailableRounds();
    }
}
