package io.tunnelvision.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** The operator files the repository ships (ops/), read as Prometheus and Grafana read them, and their PromQL. */
final class OpsFiles {

    static final Path ALERTS = Path.of("ops", "prometheus", "alerts.yml");
    static final Path SCRAPE_CONFIG = Path.of("ops", "prometheus", "prometheus.yml");
    static final Path DASHBOARD = Path.of("ops", "grafana", "tunnelvision.json");
    /** Series Prometheus makes itself for every target: not exported by a service. */
    static final Set<String> SYNTHETIC = Set.of("up");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\w+");
    private static final Pattern NUMBER = Pattern.compile("(?<![a-zA-Z_:])\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");

    /** One alerting rule as the file gives it. */
    record Rule(String group, String alert, String expr, String forDuration, Map<String, Object> labels,
                Map<String, Object> annotations) {
    }

    private OpsFiles() {
    }

    static Path resolve(Path relative) {
        return RepoRoot.find().resolve(relative);
    }

    @SuppressWarnings("unchecked")
    static List<Rule> rules() throws IOException {
        Map<String, Object> doc;
        try (Reader reader = Files.newBufferedReader(resolve(ALERTS))) {
            doc = new Yaml().load(reader);
        }
        List<Rule> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                rules.add(new Rule((String) group.get("name"), (String) rule.get("alert"), (String) rule.get("expr"),
                        rule.get("for") == null ? null : rule.get("for").toString(),
                        (Map<String, Object>) rule.get("labels"), (Map<String, Object>) rule.get("annotations")));
            }
        }
        return rules;
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(resolve(DASHBOARD).toFile());
    }

    /** Every query of every panel, rows' nested panels included. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> exprs = new ArrayList<>();
        collect(dashboard().path("panels"), exprs);
        return exprs;
    }

    private static void collect(JsonNode panels, List<String> exprs) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
            collect(panel.path("panels"), exprs);
        }
    }

    /** The metric names a PromQL expression reads: not functions, keywords, label names or Grafana variables. */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        s = VARIABLE.matcher(s).replaceAll(" ");
        s = NUMBER.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String token = m.group().replaceAll("\\s*\\($", "");
            boolean function = m.group(1) != null;
            if (!function && !KEYWORDS.contains(token)) {
                names.add(token);
            }
        }
        return names;
    }

    /** Every metric name the alert rules and the dashboard read. */
    static Set<String> namesUsed() throws IOException {
        Set<String> names = new TreeSet<>();
        rules().forEach(rule -> names.addAll(metricNames(rule.expr())));
        dashboardExpressions().forEach(expr -> names.addAll(metricNames(expr)));
        return names;
    }
}
