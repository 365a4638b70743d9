package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** NET_RX softirq work piled on one CPU that is busy with it while the others idle. */
final class SoftirqConcentrationCheck implements Check {

    @Override
    public String name() {
        return "softirq-concentration";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.SOFTIRQ_CONCENTRATION);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        return String.format(Locale.ROOT, "%s NET_RX softirqs over %s; cpu%d ran %s of them and spent %s of its "
                        + "time in softirqs", Text.rate(e.get("netRxPerSec")), Text.seconds(interval.seconds()),
                e.get("topCpu").intValue(), Text.percent(100 * e.get("topCpuShare")),
                Text.percent(100 * e.get("topCpuSoftirqShare")));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "Receive processing of every interface runs on one busy core, so packets queue behind each other "
                + "there while other cores idle. "
                + (changes.isEmpty() ? "No tunnel has RPS off to turn on: spread the NIC's queue IRQs instead "
                        + "(irq-distribution)."
                        : "RPS on the tunnels hands packets to the other online CPUs by flow hash.");
    }
}
