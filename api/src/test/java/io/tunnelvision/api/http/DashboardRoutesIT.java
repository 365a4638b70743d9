package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The routes the dashboard added, and the pages being served, against the real PostgreSQL with seeded data. */
class DashboardRoutesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static DashboardFixture fleet;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        fleet = new DashboardFixture("dashboard_routes_it");
        http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fleet.base + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> response = get(path, DashboardFixture.VIEWER);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void problem(String path, int status, String says) throws Exception {
        HttpResponse<String> response = get(path, DashboardFixture.VIEWER);
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        String detail = JSON.readTree(response.body()).get("detail").asText();
        assertTrue(detail.contains(says), detail);
    }

    @Test
    void whoamiNamesTheTokenAndItsRole() throws Exception {
        JsonNode viewer = ok("/api/v1/whoami");
        assertEquals("grafana", viewer.get("name").asText());
        assertEquals("viewer", viewer.get("role").asText());

        HttpResponse<String> operator = get("/api/v1/whoami", DashboardFixture.OPERATOR);
        assertEquals("operator", JSON.readTree(operator.body()).get("role").asText());
        assertEquals(401, get("/api/v1/whoami", null).statusCode());
        assertEquals(401, get("/api/v1/whoami", "nobody-knows-this").statusCode());
    }

    @Test
    void aPerCpuSeriesKeepsTheCpusApartSoAStormShows() throws Exception {
        JsonNode series = ok("/api/v1/series/cpus?host=" + DashboardFixture.STORM + "&metric=net_rx&from="
                + fleet.start + "&to=" + fleet.now + "&step=30s");

        assertEquals("raw", series.get("tier").asText());
        assertEquals(List.of(0, 1, 2, 3), ints(series.get("cpus")));
        int buckets = series.get("t").size();
        assertTrue(buckets >= 29, "one bucket per 30 s of 15 minutes: " + buckets);
        for (int i = 0; i < buckets; i++) {
            double cpu0 = series.get("values").get(0).get(i).asDouble();
            double cpu1 = series.get("values").get(1).get(i).asDouble();
            assertTrue(cpu0 > 40 * cpu1, "CPU 0 does 94% of NET_RX, each other CPU 2%: " + cpu0 + " vs " + cpu1);
        }
    }

    @Test
    void aPerCpuSeriesFromTheMinuteTierAppliesTheScale() throws Exception {
        JsonNode raw = ok("/api/v1/series/cpus?host=gw-nyc-1&metric=backlog_len&from=" + fleet.start + "&to="
                + fleet.start.plusSeconds(600) + "&step=30s");
        JsonNode minute = ok("/api/v1/series/cpus?host=gw-nyc-1&metric=backlog_len&from=" + fleet.start + "&to="
                + fleet.start.plusSeconds(600) + "&step=120s");

        assertEquals("1m", minute.get("tier").asText());
        assertEquals(8, minute.get("cpus").size());
        assertEquals(3.0, raw.get("values").get(7).get(3).asDouble(), 1e-6);
        assertEquals(3.0, minute.get("values").get(7).get(3).asDouble(), 0.001);
    }

    @Test
    void theFleetsCpusShowWhichGatewayRunsOnOneCore() throws Exception {
        JsonNode fleetCpus = ok("/api/v1/fleet/cpus");

        assertEquals("softirq_share", fleetCpus.get("metric").asText());
        assertEquals("1m", fleetCpus.get("tier").asText());
        assertEquals(DashboardFixture.HOSTS.size(), fleetCpus.get("hosts").size());
        for (JsonNode host : fleetCpus.get("hosts")) {
            double cpu0 = host.get("values").get(0).asDouble();
            boolean storm = host.get("host").asText().equals(DashboardFixture.STORM);
            assertEquals(storm, cpu0 > 0.9, host.toString());
        }
        assertEquals(8, find(fleetCpus.get("hosts"), "gw-nyc-1").get("cpus").size());
    }

    @Test
    void settingsHistoryHasEveryChangeAndWhatWasInEffectBefore() throws Exception {
        JsonNode all = ok("/api/v1/hosts/gw-fra-1/settings?from=" + fleet.start.minusSeconds(60));
        assertEquals(List.of(1420, 1500), ints(all.get("interfaces").findValues("mtu")));
        assertEquals(List.of(4_194_304, 212_992), ints(all.get("kernel").findValues("rmemMax")));

        JsonNode later = ok("/api/v1/hosts/gw-fra-1/settings?from=" + fleet.start.plusSeconds(410));
        assertEquals(List.of(1420), ints(later.get("interfaces").findValues("mtu")), "in effect at from");
        assertEquals(List.of(4_194_304, 212_992), ints(later.get("kernel").findValues("rmemMax")));

        JsonNode before = ok("/api/v1/hosts/gw-fra-1/settings?from=" + fleet.start.plusSeconds(500));
        assertEquals(List.of(1420), ints(before.get("interfaces").findValues("mtu")));
        assertEquals(List.of(4_194_304), ints(before.get("kernel").findValues("rmemMax")));
    }

    @Test
    void commandEventsListEveryStepNewestFirst() throws Exception {
        JsonNode events = ok("/api/v1/command-events?from=" + fleet.start);

        List<String> steps = new ArrayList<>();
        events.get("items").forEach(e -> steps.add(e.get("commandId").asText() + " " + e.get("step").asText()));
        assertEquals(List.of("cmd-budget rolled_back", "cmd-mtu verified", "cmd-mtu applied", "cmd-budget applied"),
                steps);
        JsonNode verdict = events.get("items").get(1);
        assertEquals("verification", verdict.get("actor").asText());
        assertEquals("ipFragCreatesPerSec", verdict.get("detail").asText());
        assertEquals(850.0, verdict.get("valueBefore").asDouble());
        JsonNode applied = events.get("items").get(2);
        assertEquals("agent 0.1.0", applied.get("actor").asText());
        assertEquals("1500", applied.get("valueBefore").asText());
        assertEquals("1420", applied.get("valueAfter").asText());

        JsonNode one = ok("/api/v1/command-events?host=gw-ams-1&limit=1&from=" + fleet.start);
        assertEquals(1, one.get("items").size());
        assertEquals("rolled_back", one.get("items").get(0).get("step").asText());
        assertTrue(one.get("truncated").asBoolean());
        assertEquals(0, ok("/api/v1/command-events?from=" + fleet.start + "&to=" + fleet.start.plusSeconds(200))
                .get("items").size());
    }

    @Test
    void badRequestsSayWhatWasWrong() throws Exception {
        problem("/api/v1/series/cpus?host=gw-fra-1&metric=rx_bytes", 400, "not kept per CPU");
        problem("/api/v1/series/cpus?host=gw-fra-1", 400, "'metric' is required");
        problem("/api/v1/series/cpus?host=gw-fra-1&metric=net_rx&step=1s", 400, "at most 1000 buckets");
        problem("/api/v1/series/cpus?host=gw-nowhere&metric=net_rx", 404, "no host 'gw-nowhere'");
        problem("/api/v1/fleet/cpus?metric=net_tx", 400, "not kept per CPU");
        problem("/api/v1/hosts/gw-nowhere/settings", 404, "no host 'gw-nowhere'");
        problem("/api/v1/hosts/gw-fra-1/settings?from=yesterday", 400, "not an ISO-8601 time");
        problem("/api/v1/command-events?limit=0", 400, "limit");
        for (String path : List.of("/api/v1/series/cpus?host=gw-fra-1&metric=net_rx", "/api/v1/fleet/cpus",
                "/api/v1/command-events",
                "/api/v1/hosts/gw-fra-1/settings")) {
            assertEquals(401, get(path, null).statusCode(), path);
        }
    }

    @Test
    void thePagesAreServedAndTheRootLeadsToThem() throws Exception {
        for (String path : List.of("/", "/ui")) {
            HttpResponse<String> redirect = get(path, null);
            assertEquals(302, redirect.statusCode(), path);
            assertEquals("/ui/", redirect.headers().firstValue("Location").orElse(""));
        }
        HttpResponse<String> fleetPage = get("/ui/", null);
        assertEquals(200, fleetPage.statusCode());
        assertTrue(fleetPage.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(fleetPage.body().contains("/ui/js/fleet.js"));
        HttpResponse<String> script = get("/ui/js/gateway.js", null);
        assertEquals(200, script.statusCode());
        assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"),
                script.headers().toString());
        assertEquals(200, get("/webjars/uplot/" + DashboardAssetsTest.UPLOT + "/dist/uPlot.esm.js", null).statusCode());
    }

    @Test
    void theOpenApiDocumentDescribesTheNewRoutes() throws Exception {
        String doc = get("/api/v1/openapi.yaml", null).body();
        for (String path : List.of("/api/v1/whoami:", "/api/v1/series/cpus:", "/api/v1/fleet/cpus:",
                "/api/v1/hosts/{host}/settings:", "/api/v1/command-events:")) {
            assertTrue(doc.contains("\n  " + path), "openapi.yaml lacks " + path);
        }
    }

    private static List<Integer> ints(Iterable<JsonNode> nodes) {
        List<Integer> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static JsonNode find(JsonNode hosts, String host) {
        for (JsonNode h : hosts) {
            if (h.get("host").asText().equals(host)) {
                return h;
            }
        }
        throw new AssertionError(host + " is missing from " + hosts);
    }
}
