package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A finding of a type no check explains yet: the rules' one-line summary, so nothing they find is hidden. */
final class SummaryCheck implements Check {

    private final HotspotType type;

    SummaryCheck(HotspotType type) {
        this.type = type;
    }

    @Override
    public String name() {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(type);
    }

    @Override
    public String seen(Finding finding, HostInterval interval) {
        return finding.summary();
    }

    @Override
    public String why(Finding finding, List<Change> changes, HostInterval interval) {
        return "The doctor has no explanation for " + name() + " yet; the numbers behind it: " + finding.evidence();
    }
}
