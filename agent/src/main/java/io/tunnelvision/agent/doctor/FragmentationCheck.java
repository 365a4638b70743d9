package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Set;

/**
 * IP fragmentation and reassembly counters rising: the symptom of an MTU that leaves no room for encapsulation
 * (the manual's "MTU mismatch"), whichever tunnel causes it.
 */
final class FragmentationCheck implements Check {

    @Override
    public String name() {
        return "fragmentation";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.FRAGMENTATION);
    }

    @Override
    public String subject(Finding f) {
        return "ip fragmentation";
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        return "FragCreates + ReasmReqds " + Text.rate(e.get("fragmentsPerSec")) + ", FragFails "
                + Text.rate(e.get("fragFailsPerSec")) + ", ReasmFails " + Text.rate(e.get("reasmFailsPerSec"))
                + " over " + Text.seconds(interval.seconds());
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "Every fragmented packet costs two or more packets' worth of interrupts and a reassembly that waits "
                + "for the last fragment; a lost fragment loses the whole packet (FragFails: too big with DF set, "
                + "dropped; ReasmFails: fragments that never completed). On a tunnel gateway the usual cause is a "
                + "tunnel MTU too close to its underlay's: see tunnel-mtu for the interface and the command.";
    }
}
