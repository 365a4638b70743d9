package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes the rules propose for one bad finding on one host, without the fleet's hysteresis, cooldowns or
 * gate: what the planner would command for it now. The doctor prints them as shell commands; the planner
 * sends them as commands.
 */
public final class Remedies {

    /**
     * The fleet's default policy plus entries for the types only the doctor detects so far
     * ({@link io.tunnelvision.rules.detect.HostDetectors#hostOnly}); the fleet's own default is left as it is.
     * FRAGMENTATION has no entry (the tunnel to fix is MTU_MISMATCH's), nor RP_FILTER_STRICT: the proposer
     * never changes rp_filter.
     */
    public static final String HOST_ONLY_POLICY = "SOFTIRQ_LOAD=RPS_CPUS,"
            + "RFS_OFF=RPS_SOCK_FLOW_ENTRIES+RPS_FLOW_CNT,UDP_SEND_BUFFER_ERRORS=WMEM_MAX,CPU_GOVERNOR=CPU_GOVERNOR";

    private static final RemediationPolicy POLICY = RemediationPolicy.parse(HOST_ONLY_POLICY);

    private Remedies() {
    }

    /** {@link #propose(Finding, HostContext, RemediationPolicy)} with the default policy and its host-only entries. */
    public static List<Change> propose(Finding finding, HostContext host) {
        return propose(finding, host, POLICY);
    }

    /** Every change {@code policy} calls for on a bad finding, in the policy's order; none for a good one. */
    public static List<Change> propose(Finding finding, HostContext host, RemediationPolicy policy) {
        if (!finding.bad()) {
            return List.of();
        }
        List<Change> changes = new ArrayList<>();
        for (TuningAction action : policy.actionsFor(finding.type())) {
            changes.addAll(ChangeProposer.propose(action, finding, host));
        }
        return changes;
    }
}
