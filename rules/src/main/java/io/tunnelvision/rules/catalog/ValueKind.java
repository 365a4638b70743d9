package io.tunnelvision.rules.catalog;

/** How a value of an action is spelt and compared. */
public enum ValueKind {
    /** A non-negative decimal, within the action's bounds. */
    INTEGER,
    /** A non-negative decimal that is 0 or a power of two: the kernel rounds flow table sizes up to one. */
    POWER_OF_TWO,
    /** Comma-separated 32-bit hex words, most significant first ({@code rps_cpus}). */
    CPU_MASK,
    /** One CPU list ({@code 0-3,8}) per IRQ of the target, separated by ';'. */
    CPU_LIST_SET,
    /** A cpufreq governor name ({@code performance}). */
    GOVERNOR_NAME,
    /** A qdisc kind ({@code fq_codel}) set as an interface's root qdisc. */
    QDISC_KIND;

    public boolean isNumeric() {
        return this == INTEGER || this == POWER_OF_TWO;
    }
}
