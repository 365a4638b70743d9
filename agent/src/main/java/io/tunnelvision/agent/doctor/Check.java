package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Set;

/**
 * What the doctor says about one kind of finding of the rules: the rules decide whether something is wrong and
 * what to change, a check adds only the words a person needs (what was seen, why it costs latency).
 */
interface Check {

    /** Short kebab-case name, the {@code check} of every finding it explains. */
    String name();

    /** The rules' finding types it explains. */
    Set<HotspotType> types();

    /** What the finding is about, for the report's headline: by default the rules' target. */
    default String subject(Finding finding) {
        return finding.target();
    }

    /** What was read, with the numbers. */
    String seen(Finding finding, HostInterval interval);

    /** Why it costs latency, and what the proposed changes (possibly none) do about it. */
    String why(Finding finding, List<Change> changes, HostInterval interval);
}
