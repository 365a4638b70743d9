package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host-wide settings and counters: net.core sysctls, rp_filter per interface, CPU frequency governors, and the
 * UDP buffer and IP fragmentation counters of {@code /proc/net/snmp}.
 *
 * <p>Every part is optional and this collector never fails: a network namespace other than the host's has no
 * {@code netdev_budget} (those sysctls exist only in the initial namespace), a VM often has no cpufreq, old
 * kernels lack {@code netdev_budget_usecs} (4.12). Each missing file is a null field or an absent map entry.
 *
 * <p>The SNMP counters are read every round (streams turns them into rates); the settings when the
 * {@link SettingsRefresh} says so, and the values last read are sent in between.
 */
public final class KernelSettingsCollector implements Collector<KernelSettingsSample> {

    public static final String NAME = "kernel-settings";

    private static final Logger LOG = LoggerFactory.getLogger(KernelSettingsCollector.class);

    private final Path netCore;
    private final Path ipv4Conf;
    private final Path snmp;
    private final Path cpus;
    private final FileBuffer buffer = new FileBuffer();
    private final SmallFiles files = new SmallFiles();
    private final AtomicLong malformed = new AtomicLong();

    private final SettingsRefresh.Clock refresh;
    private Settings settings;

    public KernelSettingsCollector(Path procRoot, Path sysRoot) {
        this(procRoot, sysRoot, SettingsRefresh.everyRound());
    }

    /** @param refresh when the sysctls, rp_filter and governors are read again; the SNMP counters every round */
    public KernelSettingsCollector(Path procRoot, Path sysRoot, SettingsRefresh refresh) {
        this.refresh = refresh.clock();
        this.netCore = procRoot.resolve("sys/net/core");
        this.ipv4Conf = procRoot.resolve("sys/net/ipv4/conf");
        this.snmp = procRoot.resolve("net/snmp");
        this.cpus = sysRoot.resolve("devices/system/cpu");
    }

    @Override
    public synchronized KernelSettingsSample collect(SampleHeader header) {
        SnmpCounters counters = snmp();
        if (refresh.due() || settings == null) {
            settings = new Settings(sysctl("rmem_max"), sysctl("wmem_max"), sysctl("netdev_budget"),
                    sysctl("netdev_budget_usecs"), sysctl("netdev_max_backlog"), sysctl("rps_sock_flow_entries"),
                    rpFilters(), governors());
        }
        return KernelSettingsSample.newBuilder()
                .setHeader(header)
                .setRmemMax(settings.rmemMax())
                .setWmemMax(settings.wmemMax())
                .setNetdevBudget(settings.netdevBudget())
                .setNetdevBudgetUsecs(settings.netdevBudgetUsecs())
                .setNetdevMaxBacklog(settings.netdevMaxBacklog())
                .setRpsSockFlowEntries(settings.rpsSockFlowEntries())
                .setRpFilter(settings.rpFilter())
                .setCpuGovernors(settings.governors())
                .setUdpRcvbufErrors(counters.get("Udp", "RcvbufErrors"))
                .setUdpSndbufErrors(counters.get("Udp", "SndbufErrors"))
                .setUdpInErrors(counters.get("Udp", "InErrors"))
                .setIpFragCreates(counters.get("Ip", "FragCreates"))
                .setIpFragOks(counters.get("Ip", "FragOKs"))
                .setIpFragFails(counters.get("Ip", "FragFails"))
                .setIpReasmReqds(counters.get("Ip", "ReasmReqds"))
                .setIpReasmOks(counters.get("Ip", "ReasmOKs"))
                .setIpReasmFails(counters.get("Ip", "ReasmFails"))
                .build();
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    private Long sysctl(String name) {
        Path file = netCore.resolve(name);
        try {
            Long value = files.readLong(file);
            if (value == null) {
                LOG.debug("{} does not exist here (old kernel, or a namespace other than the host's)", file);
            }
            return value;
        } catch (NumberFormatException e) {
            malformed.incrementAndGet();
            LOG.debug("{} holds no number", file);
            return null;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", file, e.getMessage());
            return null;
        }
    }

    /** rp_filter of all, default and every interface, sorted by name. */
    private Map<String, Integer> rpFilters() {
        Map<String, Integer> filters = new TreeMap<>();
        try {
            for (String name : Dirs.entries(ipv4Conf, "")) {
                Path file = ipv4Conf.resolve(name).resolve("rp_filter");
                try {
                    String value = files.read(file);
                    if (value != null) {
                        filters.put(name, Integer.valueOf(value));
                    }
                } catch (NumberFormatException e) {
                    malformed.incrementAndGet();
                    LOG.debug("{} holds no number", file);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read rp_filter under {}: {}", ipv4Conf, e.getMessage());
        }
        if (filters.isEmpty()) {
            LOG.debug("No rp_filter under {} (no IPv4?)", ipv4Conf);
        }
        return filters;
    }

    /** scaling_governor by CPU id, sorted by id; empty without cpufreq. */
    private Map<String, String> governors() {
        Map<Integer, String> byCpu = new TreeMap<>();
        try {
            List<String> entries = Dirs.entries(cpus, "cpu");
            for (String entry : entries) {
                long id = Scan.decimal(entry, "cpu".length(), entry.length());
                if (id < 0) {
                    continue; // cpufreq, cpuidle, … are not CPUs
                }
                String governor = files.read(cpus.resolve(entry).resolve("cpufreq/scaling_governor"));
                if (governor != null && !governor.isEmpty()) {
                    byCpu.put((int) id, governor);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the governors under {}: {}", cpus, e.getMessage());
        }
        if (byCpu.isEmpty()) {
            LOG.debug("No cpufreq governor under {} (no cpufreq, as in most VMs)", cpus);
        }
        Map<String, String> governors = new LinkedHashMap<>();
        byCpu.forEach((id, governor) -> governors.put(String.valueOf(id), governor));
        return governors;
    }

    private SnmpCounters snmp() {
        try {
            CharSequence text = buffer.read(snmp);
            if (text == null) {
                LOG.debug("{} does not exist", snmp);
                return new SnmpCounters(Map.of(), 0);
            }
            SnmpCounters counters = SnmpParser.parse(text);
            malformed.addAndGet(counters.malformedLines());
            return counters;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", snmp, e.getMessage());
            return new SnmpCounters(Map.of(), 0);
        }
    }

    /** The values read at the last refresh; the maps are never changed after they are made. */
    private record Settings(Long rmemMax, Long wmemMax, Long netdevBudget, Long netdevBudgetUsecs,
            Long netdevMaxBacklog, Long rpsSockFlowEntries, Map<String, Integer> rpFilter,
            Map<String, String> governors) {
    }
}
