package io.tunnelvision.api.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Named checks, each saying whether a dependency answers; the API is healthy when all do. */
public final class Health {

    private final Map<String, Supplier<String>> checks = new LinkedHashMap<>();

    /** @param check returns null when healthy, else what is wrong; may throw, which counts as unhealthy */
    public Health add(String name, Supplier<String> check) {
        checks.put(name, check);
        return this;
    }

    public record Report(boolean up, Map<String, String> checks) {
    }

    public Report check() {
        Map<String, String> results = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, Supplier<String>> check : checks.entrySet()) {
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
