package io.tunnelvision.api.http;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Named checks, each saying whether a dependency answers. The API is healthy ({@code /health}) when all do, and
 * ready ({@code /health/ready}) when those it cannot serve without do: the database, but not Kafka, whose outage
 * only delays ingest and decisions.
 */
public final class Health {

    private final Map<String, Supplier<String>> checks = new LinkedHashMap<>();
    private final Set<String> notNeededForReady = new LinkedHashSet<>();

    /**
     * A dependency the API cannot serve without: it counts for health and readiness.
     *
     * @param check returns null when healthy, else what is wrong; may throw, which counts as unhealthy
     */
    public Health add(String name, Supplier<String> check) {
        checks.put(name, check);
        notNeededForReady.remove(name);
        return this;
    }

    /** A dependency whose outage the API rides out: it counts for {@code /health} but not for readiness. */
    public Health addNotNeededForReady(String name, Supplier<String> check) {
        checks.put(name, check);
        notNeededForReady.add(name);
        return this;
    }

    public record Report(boolean up, Map<String, String> checks) {
    }

    /** Every check. */
    public Report check() {
        return run(false);
    }

    /** Only the checks the API cannot serve without. */
    public Report ready() {
        return run(true);
    }

    private Report run(boolean readinessOnly) {
        Map<String, String> results = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, Supplier<String>> check : checks.entrySet()) {
            if (readinessOnly && notNeededForReady.contains(check.getKey())) {
                continue;
            }
            String problem;
            try {
                problem = check.getValue().get();
            } catch (RuntimeException e) {
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            results.put(check.getKey(), problem == null ? "UP" : "DOWN: " + problem);
            up &= problem == null;
        }
        return new Report(up, results);
    }
}
