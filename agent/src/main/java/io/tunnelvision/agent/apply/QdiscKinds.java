package io.tunnelvision.agent.apply;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which root qdiscs the agent may replace and set. A rollback re-creates the kind that was there with
 * {@code tc qdisc replace dev <if> root <kind>}, that is with the kind's default configuration, so only kinds
 * whose configuration is their default can be replaced or set; everything else is refused with the reason.
 */
final class QdiscKinds {

    /** A kind as tc names it (tc-*(8)): lower case, at most 15 bytes (IFNAMSIZ, as the kernel's TCA_KIND). */
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_]{0,14}");

    /**
     * Classless kinds whose defaults are what the kernel makes them: set with no options, re-created the same.
     * {@code noqueue} is what virtual devices (vxlan, veth) have by default. pfifo and bfifo are re-created at
     * the kernel's default limit, so a current one is replaced only at that limit ({@link RootQdisc}).
     */
    static final Set<String> RECREATABLE = Set.of("pfifo_fast", "fq_codel", "fq", "fq_pie", "cake", "sfq",
            "pfifo", "bfifo", "noqueue");

    private static final String SHAPING = "a classful or shaping qdisc: replacing it would destroy the classes, "
            + "filters and rates an operator configured, which a rollback cannot re-create";
    private static final String MULTIQUEUE = "the multiqueue root: it gives each transmit queue its own child qdisc "
            + "so that CPUs send in parallel; one root qdisc in its place would serialise them behind one lock, "
            + "and a rollback could not re-create its children's configuration";
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("htb", SHAPING), Map.entry("hfsc", SHAPING), Map.entry("cbq", SHAPING),
            Map.entry("tbf", SHAPING), Map.entry("prio", SHAPING), Map.entry("drr", SHAPING),
            Map.entry("qfq", SHAPING), Map.entry("ets", SHAPING), Map.entry("multiq", SHAPING),
            Map.entry("cbs", SHAPING), Map.entry("taprio", SHAPING), Map.entry("netem", SHAPING),
            Map.entry("red", SHAPING), Map.entry("gred", SHAPING), Map.entry("choke", SHAPING),
            Map.entry("mq", MULTIQUEUE), Map.entry("mqprio", MULTIQUEUE));

    private QdiscKinds() {
    }

    /** Why {@code kind} may not be set or replaced as a root qdisc, or empty when it may. */
    static Optional<String> problem(String kind) {
        if (!KIND.matcher(kind).matches()) {
            return Optional.of("'" + InterfaceNames.printable(kind) + "' is not a qdisc kind");
        }
        if (REFUSED.containsKey(kind)) {
            return Optional.of(kind + " is " + REFUSED.get(kind));
        }
        if (!RECREATABLE.contains(kind)) {
            return Optional.of(kind + " is not a qdisc whose default configuration the agent can re-create in a "
                    + "rollback (it sets and replaces " + RECREATABLE.stream().sorted().toList() + ")");
        }
        return Optional.empty();
    }
}
