package io.tunnelvision.rules.plan;

import java.util.Set;

/**
 * When the root qdisc of an interface with a standing queue may be switched to fq_codel (ROOT_QDISC): only over a
 * plain FIFO that a rollback re-creates exactly from its name, because the rollback of a switch is
 * {@code tc qdisc replace dev <if> root <earlier kind>} with nothing else. That is pfifo_fast, which takes no
 * parameters at all (its three bands and priomap are fixed in sch_generic.c).
 *
 * <p>Never over:
 * <ul>
 *   <li>pfifo or bfifo: their {@code limit} may be set, and the qdisc sample does not carry it, so the planner
 *       cannot tell a default one (txqueuelen packets, or txqueuelen × MTU bytes) from an operator's; the agent,
 *       which reads the limit before it replaces anything, accepts a default one by hand;</li>
 *   <li>a shaper or a classful qdisc (htb, tbf, hfsc, cbq, prio, drr...): the operator's rates, classes and filters
 *       would be lost, and no rollback could rebuild them;</li>
 *   <li>mq: it holds one child per transmit queue; a single fq_codel in its place would put every queue behind one
 *       lock;</li>
 *   <li>noqueue: nothing queues, so nothing stands;</li>
 *   <li>an AQM already (fq_codel, fq, cake, pie...).</li>
 * </ul>
 */
public final class RootQdiscSwitch {

    /** What a standing queue's root is switched to: CoDel holds its standing delay near 5 ms (RFC 8289). */
    public static final String FQ_CODEL = "fq_codel";
    private static final Set<String> REPLACEABLE = Set.of("pfifo_fast");
    /** The kinds a root may be set to by hand through the gate: fq_codel, or back to pfifo_fast. */
    public static final Set<String> SETTABLE = Set.of(FQ_CODEL, "pfifo_fast");

    private RootQdiscSwitch() {
    }

    /** Whether a root of this kind may be switched to {@link #FQ_CODEL}, and switched back by a rollback. */
    public static boolean replaceable(String kind) {
        return kind != null && REPLACEABLE.contains(kind);
    }
}
