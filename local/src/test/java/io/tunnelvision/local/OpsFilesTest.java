package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The alert rules and the dashboard are well-formed; which names they use is checked by OpsMetricNamesIT. */
class OpsFilesTest {

    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    @Test
    void promtoolAcceptsTheRulesAndTheScrapeConfig() throws Exception {
        // Debian's prometheus package has promtool; ./tunnelvision test installs it
        assertEquals("", promtool("check", "rules", OpsFiles.resolve(OpsFiles.ALERTS).toString()));
        assertEquals("", promtool("check", "config", OpsFiles.resolve(OpsFiles.SCRAPE_CONFIG).toString()));
    }

    @Test
    void everyRuleHasAUniqueNameASeverityASummaryAndADescription() throws IOException {
        List<OpsFiles.Rule> rules = OpsFiles.rules();
        assertTrue(rules.size() >= 15, "rules: " + rules.size());
        Set<String> names = new HashSet<>();
        for (OpsFiles.Rule rule : rules) {
            assertTrue(rule.alert() != null && rule.alert().matches("Tunnelvision[A-Z][A-Za-z]+"), rule.toString());
            assertTrue(names.add(rule.alert()), "twice: " + rule.alert());
            assertTrue(SEVERITIES.contains(String.valueOf(rule.labels().get("severity"))), rule.alert());
            assertNotNull(rule.annotations().get("summary"), rule.alert());
            assertNotNull(rule.annotations().get("description"), rule.alert());
            assertFalse(OpsFiles.metricNames(rule.expr()).isEmpty(), rule.alert() + " reads no metric");
        }
        for (String needed : List.of("TunnelvisionAgentDown", "TunnelvisionAgentSilent", "TunnelvisionAgentSpoolGrowing",
                "TunnelvisionCommandsRefused", "TunnelvisionCommandSignatureRefused", "TunnelvisionDecisionsRefused",
                "TunnelvisionStreamsNotReady", "TunnelvisionStreamsThreadReplaced", "TunnelvisionStreamsConsumerLag",
                "TunnelvisionApiIngestDeadLetters")) {
            assertTrue(names.contains(needed), "no rule " + needed);
        }
    }

    @Test
    void theDashboardHasUniquePanelIdsAndEveryGraphAQueryOnTheDatasourceVariable() throws IOException {
        JsonNode dashboard = OpsFiles.dashboard();
        assertEquals("tunnelvision", dashboard.path("uid").asText());
        Set<Integer> ids = new HashSet<>();
        int graphs = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel id twice: " + panel.path("id"));
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            graphs++;
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), panel.path("title").asText());
            assertFalse(panel.path("targets").isEmpty(), panel.path("title").asText());
            for (JsonNode target : panel.path("targets")) {
                assertFalse(OpsFiles.metricNames(target.path("expr").asText()).isEmpty(), target.toString());
            }
        }
        assertTrue(graphs >= 15, "graphs: " + graphs);
    }

    @Test
    void metricNamesAreWhatAQueryReadsNotItsFunctionsLabelsOrVariables() {
        assertEquals(Set.of("tunnelvision_http_requests_seconds_count"), OpsFiles.metricNames(
                "sum by (instance) (rate(tunnelvision_http_requests_seconds_count{status=~\"5..\"}[$__rate_interval]))"
                        + " / sum by (instance) (rate(tunnelvision_http_requests_seconds_count[5m])) > 0.05"));
        assertEquals(Set.of("tunnelvision_ingest_records_total", "tunnelvision_samples_sent_total"),
                OpsFiles.metricNames("rate(tunnelvision_ingest_records_total{result=\"written\"}[10m]) == 0 and on()"
                        + " sum(rate(tunnelvision_samples_sent_total[10m])) > 1e3"));
        assertEquals(Set.of("up"), OpsFiles.metricNames("count(up{job=\"a\"} == 0) or vector(0)"));
    }

    private static String promtool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is missing: apt-get install prometheus (Debian; ./tunnelvision test does)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        return process.exitValue() == 0 ? "" : output;
    }
}
