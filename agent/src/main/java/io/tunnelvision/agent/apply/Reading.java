package io.tunnelvision.agent.apply;

/**
 * What a tool said about a setting: its value, or why the device has no such setting. Before a change that is a
 * refusal (nothing was touched, the command cannot apply here); after one, or on its own, a failed read.
 */
record Reading<T>(T value, String problem) {

    static <T> Reading<T> of(T value) {
        return new Reading<>(value, null);
    }

    static <T> Reading<T> problem(String why) {
        return new Reading<>(null, why);
    }

    T orRefuse() throws Refusal {
        if (problem != null) {
            throw Refusal.rejected(problem);
        }
        return value;
    }

    T orFail(String where) throws ApplyFailure {
        if (problem != null) {
            throw new ApplyFailure("read", where, "EOPNOTSUPP", problem);
        }
        return value;
    }
}
