package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * IP fragmentation and reassembly counters rising: the symptom of an MTU that leaves no room for encapsulation
 * (the manual's "MTU mismatch"), whichever tunnel causes it.
 */
final class FragmentationCheck implements Check {

    /** Fragmentations or reassemblies per second worth acting on; a gateway should see next to none. */
    static final double WARNING_RATE = 1;
    /** Failed fragmentations or reassemblies per second: packets lost, not only delayed. */
    static final double CRITICAL_FAIL_RATE = 1;

    @Override
    public String name() {
        return "fragmentation";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        long creates = nz(interval.kernelDelta(KernelSettingsSample::getIpFragCreates));
        long oks = nz(interval.kernelDelta(KernelSettingsSample::getIpFragOks));
        long reasm = nz(interval.kernelDelta(KernelSettingsSample::getIpReasmReqds));
        long fragFails = nz(interval.kernelDelta(KernelSettingsSample::getIpFragFails));
        long reasmFails = nz(interval.kernelDelta(KernelSettingsSample::getIpReasmFails));
        double rate = interval.perSecond(Math.max(oks, creates) + reasm);
        double failRate = interval.perSecond(fragFails + reasmFails);
        if (rate < WARNING_RATE && failRate < CRITICAL_FAIL_RATE) {
            return List.of();
        }
        List<String> parts = new ArrayList<>();
        parts.add("FragOKs +" + oks);
        parts.add("FragCreates +" + creates);
        parts.add("ReasmReqds +" + reasm);
        parts.add("FragFails +" + fragFails);
        parts.add("ReasmFails +" + reasmFails);
        String seen = String.join(", ", parts) + " in " + Text.seconds(interval.seconds());
        String why = "Every fragmented packet costs two or more packets' worth of interrupts and a reassembly that "
                + "waits for the last fragment; a lost fragment loses the whole packet (FragFails: too big with DF "
                + "set, dropped; ReasmFails: fragments that never completed). On a tunnel gateway the usual cause is "
                + "a tunnel MTU too close to its underlay's: see tunnel-mtu for the interface and the command.";
        return List.of(new Finding(name(), failRate >= CRITICAL_FAIL_RATE ? Severity.CRITICAL : Severity.WARNING,
                "ip fragmentation", seen, why, ""));
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}
