package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Receive-queue interrupts of one NIC piling onto one CPU while other CPUs take none of them: the manual's
 * "only one core is incrementing" hotspot.
 *
 * <p>Judged per device, not per row: on x86 each MSI-X vector is delivered to one CPU at a time whatever its
 * {@code smp_affinity_list}, so one row on one CPU is normal. What costs latency is every queue of a multi-queue
 * NIC on the same CPU. A single-queue NIC cannot be spread by affinity; its softirq work is spread with RPS
 * (see {@link RpsCheck}).
 */
final class IrqDistributionCheck implements Check {

    /** Below this many interrupts per second per device, where they land costs too little to act on. */
    static final double MIN_RATE = 1000;
    /** Above this rate one CPU handling a whole NIC is a hotspot whatever its si% (the manual's 10 kHz ceiling). */
    static final double CRITICAL_RATE = 20000;
    /** Share of a device's interrupts on its busiest CPU that means "all on one core". */
    static final double CONCENTRATED_SHARE = 0.9;
    /** si% of the busiest CPU that makes the concentration critical: half its time is spent in softirqs. */
    static final double CRITICAL_SOFTIRQ_PERCENT = 50;

    /** Control, admin and event vectors: they carry no packets. */
    private static final Pattern CONTROL = Pattern.compile("(?i)(async|misc|mgmnt|mgmt|config|ctrl|event|fdir)");
    /** Transmit-completion-only vectors (virtio output, -tx-N): their CPU does not delay received packets. */
    private static final Pattern TX_ONLY = Pattern.compile("(?i)(output|[-_]tx[-_]?\\d+$)");
    private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-9a-f]");
    private static final Pattern QUEUE_SUFFIX =
            Pattern.compile("(?i)[-_.](txrx[-_.]?|rx[-_.]?|input[-_.]?|comp|queue[-_.]?|q)?\\d+$");

    @Override
    public String name() {
        return "irq-distribution";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        if (interval.facts().onlineCount() < 2) {
            return List.of();
        }
        Map<String, List<HostInterval.IrqDelta>> groups = new TreeMap<>();
        for (HostInterval.IrqDelta d : interval.irqDeltas()) {
            if (isReceiveQueue(d.line())) {
                groups.computeIfAbsent(device(d.line(), interval), k -> new ArrayList<>()).add(d);
            }
        }
        Map<Integer, Double> softirq = new LinkedHashMap<>();
        for (HostInterval.CpuLoad load : interval.cpuLoads()) {
            softirq.put(load.cpu(), load.softirqPercent());
        }
        List<Finding> findings = new ArrayList<>();
        groups.forEach((device, lines) -> examine(device, lines, interval, softirq, findings));
        return findings;
    }

    private void examine(String device, List<HostInterval.IrqDelta> lines, HostInterval interval,
            Map<Integer, Double> softirq, List<Finding> findings) {
        if (lines.size() < 2) {
            return;
        }
        Map<Integer, Long> perCpu = new TreeMap<>();
        long total = 0;
        for (HostInterval.IrqDelta d : lines) {
            d.perCpu().forEach((cpu, n) -> perCpu.merge(cpu, n, Long::sum));
            total += d.total();
        }
        double rate = interval.perSecond(total);
        if (total == 0 || rate < MIN_RATE) {
            return;
        }
        int top = perCpu.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        double share = (double) perCpu.get(top) / total;
        if (share < CONCENTRATED_SHARE) {
            return;
        }
        BitSet others = interval.facts().onlineCpus();
        others.clear(top);
        long otherCount = total - perCpu.get(top);
        double topSi = softirq.getOrDefault(top, 0.0);
        boolean critical = rate >= CRITICAL_RATE || topSi >= CRITICAL_SOFTIRQ_PERCENT;
        String seen = String.format(Locale.ROOT,
                "%d receive-queue IRQs (%s) took %s interrupts over %s; cpu%d took %s of them (si %s), "
                        + "CPUs %s took %d together",
                lines.size(), irqList(lines), Text.rate(rate), Text.seconds(interval.seconds()), top,
                Text.percent(share * 100), Text.percent(topSi), CpuSets.list(others), otherCount);
        String why = "Every queue of " + device + " interrupts cpu" + top + ", so its hard IRQs and the NET_RX "
                + "softirqs they raise (decryption and decapsulation of tunnel traffic included) queue up on one core "
                + "while the others idle; packets wait for that core. Giving each queue its own CPU lets them run in "
                + "parallel" + (interval.facts().irqbalanceRunning()
                        ? ". irqbalance is running and rewrites affinities about every 10 s: ban these IRQs from it "
                                + "(IRQBALANCE_ARGS=\"" + banArgs(lines) + "\") or the change will not last"
                        : ", or run irqbalance (systemctl enable --now irqbalance) to keep them spread") + ".";
        findings.add(new Finding(name(), critical ? Severity.CRITICAL : Severity.WARNING, device, seen, why,
                spread(lines, interval.facts().onlineCpus())));
    }

    /** One {@code echo} per queue IRQ, queue k on the k-th online CPU (round robin), in IRQ number order. */
    static String spread(List<HostInterval.IrqDelta> lines, BitSet online) {
        List<HostInterval.IrqDelta> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingLong(d -> irqNumber(d.line())));
        List<Integer> cpus = online.stream().boxed().toList();
        StringBuilder fix = new StringBuilder();
        for (int k = 0; k < sorted.size(); k++) {
            if (k > 0) {
                fix.append('\n');
            }
            fix.append("echo ").append(cpus.get(k % cpus.size())).append(" > /proc/irq/")
                    .append(sorted.get(k).line().getIrq()).append("/smp_affinity_list");
        }
        return fix.toString();
    }

    private static String banArgs(List<HostInterval.IrqDelta> lines) {
        StringBuilder out = new StringBuilder();
        for (HostInterval.IrqDelta d : lines) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append("--banirq=").append(d.line().getIrq());
        }
        return out.toString();
    }

    private static String irqList(List<HostInterval.IrqDelta> lines) {
        StringBuilder out = new StringBuilder("irq ");
        for (int k = 0; k < lines.size(); k++) {
            if (k > 0) {
                out.append(',');
            }
            out.append(lines.get(k).line().getIrq());
        }
        return out.toString();
    }

    private static long irqNumber(IrqLine line) {
        try {
            return Long.parseLong(line.getIrq());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A numbered row of a device that receives packets. */
    static boolean isReceiveQueue(IrqLine line) {
        if (irqNumber(line) == Long.MAX_VALUE || line.getDevices().isEmpty()) {
            return false;
        }
        for (String dev : line.getDevices()) {
            if (CONTROL.matcher(dev).find() || TX_ONLY.matcher(dev).find()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The device a row belongs to: the interface whose name appears in the IRQ name ({@code eth0-TxRx-0},
     * {@code i40e-ens1f0-TxRx-0}); else the PCI function in the chip name ({@code IR-PCI-MSIX-0000:86:00.0});
     * else the IRQ name without its queue number ({@code virtio2-input.0} is {@code virtio2}).
     */
    static String device(IrqLine line, HostInterval interval) {
        String name = line.getDevices().get(0);
        for (InterfaceConfig iface : interval.interfaces()) {
            if (containsWord(name, iface.getName())) {
                return iface.getName();
            }
        }
        if (line.getChip() != null) {
            Matcher m = PCI_ADDRESS.matcher(line.getChip());
            if (m.find()) {
                return "pci " + m.group();
            }
        }
        int at = name.indexOf('@');
        String stem = at > 0 ? name.substring(0, at) : name;
        String stripped = QUEUE_SUFFIX.matcher(stem).replaceFirst("");
        return stripped.isEmpty() ? stem : stripped;
    }

    private static boolean containsWord(String text, String word) {
        int from = 0;
        while (true) {
            int i = text.indexOf(word, from);
            if (i < 0) {
                return false;
            }
            int end = i + word.length();
            boolean startOk = i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1));
            boolean endOk = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
            if (startOk && endOk) {
                return true;
            }
            from = i + 1;
        }
    }
}
