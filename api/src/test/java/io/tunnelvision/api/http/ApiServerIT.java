package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import io.tunnelvision.schemas.topic.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every route of the HTTP API, its errors and its auth, against a server on a free port backed by a real
 * PostgreSQL (rows written by the ingest path) and the real broker (approve/reject).
 */
class ApiServerIT {

    private static final String VIEWER = "viewer-token-" + UUID.randomUUID();
    private static final String OPERATOR = "operator-token-" + UUID.randomUUID();
    private static final Instant T = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> INJECTIONS = List.of("' OR '1'='1", "gw-1'; DROP TABLE hosts; --",
            "gw-1\" OR 1=1 --", "$$; TRUNCATE commands; $$", "%", "gw-1' UNION SELECT * FROM hosts --");

    private static Database database;
    private static Topics topics;
    private static ApiServer server;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void start() {
        database = TestDatabase.fresh("api_server_it");
        Clock clock = Clock.systemUTC();
        PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
        List<Item> items = new ArrayList<>();
        for (int s = 0; s < 300; s++) {
            Instant t = T.plusSeconds(s);
            items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-1", t, s, 100, "tun0", "eth0")));
            items.add(new Item(Source.SOFTNET_RATES, TestRecords.softnet("gw-1", t, s, 4, 10)));
            items.add(new Item(Source.KERNEL_RATES, TestRecords.kernel("gw-1", t, s, 2)));
        }
        items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-2", T, 1, 5, "wg0")));
        items.add(new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-1", T, 1, 1420)));
        items.add(new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings("gw-1", T, 1, 212992)));
        for (int i = 0; i < 6; i++) {
            items.add(new Item(Source.LATENCY, TestRecords.latency("gw-1", T.plusSeconds(10L * i), i, "gw-2", 1500, 900)));
        }
        items.add(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-open", "gw-1", HotspotType.SOFTNET_SQUEEZE,
                HotspotState.OPEN, T, T.plusSeconds(60))));
        items.add(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-closed", "gw-1", HotspotType.TX_DROPS,
                HotspotState.CLOSED, T.minusSeconds(3600), T.minusSeconds(1800))));
        items.add(new Item(Source.HOTSPOTS, TestRecords.fleetHotspot("hs-fleet", List.of("gw-1", "gw-2"), T)));
        items.add(new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-proposed", "gw-1", T.plusSeconds(3))));
        items.add(new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-to-reject", "gw-1", T.plusSeconds(2))));
        items.add(new Item(Source.COMMANDS, TestRecords.command("cmd-verified", "gw-1", T.plusSeconds(1))));
        items.add(new Item(Source.COMMAND_RESULTS, TestRecords.result("cmd-verified", "gw-1", CommandStatus.APPLIED,
                T.plusSeconds(5))));
        items.add(new Item(Source.COMMAND_OUTCOMES, TestRecords.outcome("cmd-verified", "gw-1", Verdict.VERIFIED,
                T.plusSeconds(65))));
        items.add(new Item(Source.COMMANDS, TestRecords.command("cmd-issued", "gw-2", T)));
        new IngestWriter(database.jdbi(), partitions, RowSink.copy()).write(items);
        Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
        for (MetricFamily family : MetricFamily.values()) {
            rollups.rollUp(family, Tier.MINUTE, T, T.plus(Duration.ofMinutes(5)));
        }

        topics = Topics.inNamespace("it-" + UUID.randomUUID().toString().substring(0, 8));
        KafkaDecisionPublisher decisions = DecisionTopic.publisher(topics);
        List<ApiToken> tokens = DecisionTopic.tokens(VIEWER, OPERATOR);
        Health health = new Health().add("database", () -> database.jdbi().withHandle(h -> h.createQuery("SELECT 1")
                .mapTo(Integer.class).one()) == 1 ? null : "no");
        server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, clock, tokens, decisions, health,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(0);
        base = "http://localhost:" + server.port();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    /** Asserts an RFC 9457 problem with the status, and a detail containing {@code says}. */
    private static JsonNode problem(HttpResponse<String> response, int status, String says) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                response.headers().toString());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("detail").asText().contains(says), body.get("detail").asText());
        return body;
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static long rows(String table) {
        return TestDatabase.count(database, "SELECT count(*) FROM " + table);
    }

    // ---- auth -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/hosts", "/api/v1/hosts/gw-1", "/api/v1/series?host=gw-1&metric=net_rx",
            "/api/v1/hotspots", "/api/v1/fleet/summary", "/api/v1/commands", "/api/v1/commands/cmd-verified",
            "/api/v1/latency?host=gw-1"})
    void everyApiRouteWantsAToken(String path) throws Exception {
        HttpResponse<String> response = get(path, null);

        problem(response, 401, "Bearer");
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        problem(get(path, "not-a-known-token"), 401, "not one this API knows");
    }

    @ParameterizedTest
    @ValueSource(strings = {"approve", "reject"})
    void aViewerMayNotDecideAndNothingIsSent(String decision) throws Exception {
        problem(post("/api/v1/commands/cmd-proposed/" + decision, VIEWER, ""), 403, "needs operator");
        problem(post("/api/v1/commands/cmd-proposed/" + decision, null, ""), 401, "Bearer");
    }

    @Test
    void anOperatorMayReadToo() throws Exception {
        assertEquals(2, ok(get("/api/v1/hosts", OPERATOR)).get("items").size());
    }

    @Test
    void healthMetricsAndTheApiDescriptionNeedNoToken() throws Exception {
        JsonNode health = ok(get("/health", null));
        assertEquals("UP", health.get("status").asText());
        assertEquals("UP", health.get("checks").get("database").asText());

        get("/api/v1/hosts", VIEWER);
        HttpResponse<String> metrics = get("/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(metrics.body().contains("tunnelvision_http_requests_seconds_count{method=\"GET\","
                + "route=\"/api/v1/hosts\",status=\"200\"}"), metrics.body());
    }

    @Test
    void theOpenApiDocumentDescribesEveryRouteAndSwaggerUiShowsIt() throws Exception {
        HttpResponse<String> doc = get("/api/v1/openapi.yaml", null);
        assertEquals(200, doc.statusCode());
        for (String path : List.of("/api/v1/hosts:", "/api/v1/hosts/{host}:", "/api/v1/series:", "/api/v1/hotspots:",
                "/api/v1/fleet/summary:", "/api/v1/commands:", "/api/v1/commands/{id}:",
                "/api/v1/commands/{id}/approve:", "/api/v1/commands/{id}/reject:", "/api/v1/latency:", "/health:",
                "/metrics:")) {
            assertTrue(doc.body().contains("\n  " + path), "openapi.yaml lacks " + path);
        }
        HttpResponse<String> page = get("/swagger", null);
        assertEquals(200, page.statusCode());
        String version = ApiServer.swaggerUiVersion();
        assertTrue(page.body().contains("/webjars/swagger-ui/" + version + "/swagger-ui-bundle.js"));
        assertEquals(200, get("/webjars/swagger-ui/" + version + "/swagger-ui-bundle.js", null).statusCode());
    }

    @Test
    void anUnknownRouteIsAProblemToo() throws Exception {
        problem(get("/api/v1/nothing-here", VIEWER), 404, "no route GET /api/v1/nothing-here");
    }

    // ---- hosts ------------------------------------------------------------------------------------------

    @Test
    void hostsAreListedWithLastSampleTimeAndOpenHotspotsAndPagedByCursor() throws Exception {
        JsonNode first = ok(get("/api/v1/hosts?limit=1", VIEWER));
        assertEquals(1, first.get("items").size());
        JsonNode gw1 = first.get("items").get(0);
        assertEquals("gw-1", gw1.get("hostId").asText());
        assertEquals(T.plusSeconds(299).toString(), gw1.get("lastSeen").asText(), "ISO-8601 UTC");
        assertEquals(2, gw1.get("openHotspots").asInt(), "its own and the fleet hotspot naming it");
        assertNotNull(first.get("nextCursor").textValue());

        JsonNode second = ok(get("/api/v1/hosts?limit=1&cursor=" + first.get("nextCursor").asText(), VIEWER));
        assertEquals("gw-2", second.get("items").get(0).get("hostId").asText());
        assertTrue(second.get("nextCursor").isNull());
    }

    @Test
    void aHostComesWithItsOpenHotspotsInterfacesAndKernelSettings() throws Exception {
        JsonNode host = ok(get("/api/v1/hosts/gw-1", VIEWER));

        assertEquals("0.1.0", host.get("host").get("agentVersion").asText());
        assertEquals(List.of("hs-fleet", "hs-open"), ids(host.get("openHotspots"), "hotspotId").stream().sorted()
                .toList());
        assertEquals(1420, host.get("interfaces").get(0).get("mtu").asInt());
        assertEquals("0000000f", host.get("interfaces").get(0).get("rxQueues").get(0).get("rpsCpus").asText());
        assertEquals(212992, host.get("kernel").get("rmemMax").asLong());
        assertEquals(0.9, host.get("openHotspots").findValue("evidence").get("topCpuShare").asDouble(), 1e-9,
                "evidence is a JSON object, not a string");
    }

    @Test
    void hostErrorsSayWhatWasWrong() throws Exception {
        problem(get("/api/v1/hosts/gw-unknown", VIEWER), 404, "no host 'gw-unknown'");
        problem(get("/api/v1/hosts?limit=0", VIEWER), 400, "limit '0' must be a whole number from 1 to 1000");
        problem(get("/api/v1/hosts?cursor=garbage!", VIEWER), 400, "cursor 'garbage!' is not one this API issued");
        problem(get("/api/v1/hosts/" + q("gw\u0007bell"), VIEWER), 400, "is not a host id");
    }

    // ---- series -----------------------------------------------------------------------------------------

    @Test
    void aOneMinuteStepReadsTheMinuteTier() throws Exception {
        JsonNode series = ok(get("/api/v1/series?host=gw-1&metric=rx_packets&iface=tun0&step=60&from="
                + T + "&to=" + T.plus(Duration.ofMinutes(5)), VIEWER));

        assertEquals("1m", series.get("tier").asText());
        assertEquals(5, series.get("points").size());
        assertEquals(100.0, series.get("points").get(0).get("avg").asDouble(), 1e-3);
        assertEquals(T.toString(), series.get("points").get(0).get("t").asText());
        assertEquals("packets/s", series.get("unit").asText());
    }

    @Test
    void aStepUnderAMinuteReadsTheRawTier() throws Exception {
        JsonNode series = ok(get("/api/v1/series?host=gw-1&metric=rx_packets&iface=eth0&step=10s&from="
                + T + "&to=" + T.plus(Duration.ofMinutes(1)), VIEWER));

        assertEquals("raw", series.get("tier").asText());
        assertEquals(6, series.get("points").size());
        assertEquals(101.0, series.get("points").get(0).get("avg").asDouble(), 1e-3);
        assertEquals(10, series.get("points").get(0).get("rows").asInt());
    }

    @Test
    void perCpuMetricsGiveOneCpuOrCombineThem() throws Exception {
        String range = "&step=60&from=" + T + "&to=" + T.plus(Duration.ofMinutes(1));
        JsonNode cpu2 = ok(get("/api/v1/series?host=gw-1&metric=processed&cpu=2" + range, VIEWER));
        JsonNode all = ok(get("/api/v1/series?host=gw-1&metric=processed" + range, VIEWER));
        JsonNode squeeze = ok(get("/api/v1/series?host=gw-1&metric=backlog_len" + range, VIEWER));

        assertEquals(30.0, cpu2.get("points").get(0).get("avg").asDouble(), 1e-3);
        assertEquals(100.0, all.get("points").get(0).get("avg").asDouble(), 1e-3, "10+20+30+40");
        assertEquals("sum", all.get("cpuAggregate").asText());
        assertEquals(3.0, squeeze.get("points").get(0).get("avg").asDouble(), 1e-3, "the busiest CPU's backlog");
    }

    @Test
    void seriesErrorsSayWhatWasWrong() throws Exception {
        problem(get("/api/v1/series?metric=rx_packets&iface=tun0", VIEWER), 400, "'host' is required");
        problem(get("/api/v1/series?host=gw-1", VIEWER), 400, "'metric' is required");
        problem(get("/api/v1/series?host=gw-1&metric=latency_vibes", VIEWER), 400, "unknown metric 'latency_vibes'");
        problem(get("/api/v1/series?host=gw-1&metric=rx_packets", VIEWER), 400, "add iface=NAME");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&iface=tun0", VIEWER), 400, "not per interface");
        problem(get("/api/v1/series?host=gw-1&metric=udp_rcvbuf_errors&cpu=1", VIEWER), 400, "not per CPU");
        problem(get("/api/v1/series?host=gw-1&metric=processed&cpu=-1", VIEWER), 400, "cpu '-1'");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
                VIEWER), 400, "is not before to");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&from=yesterday", VIEWER), 400, "not an ISO-8601 time");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&step=0", VIEWER), 400, "too small");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&step=fast", VIEWER), 400, "is not a duration");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&step=1s&from=" + T.minus(Duration.ofDays(1)), VIEWER),
                400, "too small for a range");
        problem(get("/api/v1/series?host=gw-1&metric=net_rx&step=10s&from=" + Instant.now().minus(Duration.ofDays(5))
                + "&to=" + Instant.now().minus(Duration.ofDays(5)).plusSeconds(600), VIEWER), 400,
                "use a step of at least 60s");
        problem(get("/api/v1/series?host=gw-nobody&metric=net_rx", VIEWER), 404, "no host 'gw-nobody'");
    }

    // ---- hotspots, fleet --------------------------------------------------------------------------------

    @Test
    void hotspotsAreFilteredByTimeTypeHostAndStateNewestFirst() throws Exception {
        String day = "from=" + T.minus(Duration.ofHours(2)) + "&to=" + T.plus(Duration.ofHours(1));
        assertEquals(List.of("hs-open", "hs-fleet", "hs-closed"),
                ids(ok(get("/api/v1/hotspots?" + day, VIEWER)).get("items"), "hotspotId"));
        assertEquals(List.of("hs-closed"),
                ids(ok(get("/api/v1/hotspots?state=closed&" + day, VIEWER)).get("items"), "hotspotId"));
        assertEquals(List.of("hs-fleet"),
                ids(ok(get("/api/v1/hotspots?host=gw-2&" + day, VIEWER)).get("items"), "hotspotId"));
        assertEquals(List.of("hs-open"), ids(ok(get("/api/v1/hotspots?type=SOFTNET_SQUEEZE&" + day, VIEWER))
                .get("items"), "hotspotId"));
        assertEquals(List.of("hs-open", "hs-fleet"),
                ids(ok(get("/api/v1/hotspots?from=" + T + "&to=" + T.plusSeconds(600), VIEWER)).get("items"),
                        "hotspotId"), "the closed one ended before the range");
    }

    @Test
    void hotspotPagesFollowTheirCursors() throws Exception {
        String day = "&from=" + T.minus(Duration.ofHours(2)) + "&to=" + T.plus(Duration.ofHours(1));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(get("/api/v1/hotspots?limit=1" + day + (cursor == null ? "" : "&cursor=" + cursor),
                    VIEWER));
            seen.addAll(ids(page.get("items"), "hotspotId"));
            cursor = page.get("nextCursor").textValue();
        } while (cursor != null);
        assertEquals(List.of("hs-open", "hs-fleet", "hs-closed"), seen);
    }

    @Test
    void hotspotErrorsSayWhatWasWrong() throws Exception {
        problem(get("/api/v1/hotspots?type=VOLCANO", VIEWER), 400, "type 'VOLCANO' is not one of");
        problem(get("/api/v1/hotspots?state=SIMMERING", VIEWER), 400, "state 'SIMMERING' is not one of");
        problem(get("/api/v1/hotspots?cursor=" + new Cursor(null, "x").encode(), VIEWER), 400, "cursor");
    }

    @Test
    void theFleetSummaryCountsHostsPerHotspotTypeAndCommandsInFlight() throws Exception {
        JsonNode summary = ok(get("/api/v1/fleet/summary", VIEWER));

        assertEquals(2, summary.get("hosts").asInt());
        assertEquals(0, summary.get("healthyHosts").asInt());
        assertEquals(2, summary.get("unhealthyHosts").asInt());
        assertEquals(2, summary.get("hostsPerOpenHotspotType").get("FLEET_OUTLIER").asInt());
        assertEquals(1, summary.get("hostsPerOpenHotspotType").get("SOFTNET_SQUEEZE").asInt());
        assertEquals(3, summary.get("commandsInFlight").asInt(), "two proposed, one issued");
        assertEquals(1, summary.get("commandsPerStatus").get("verified").asInt());
    }

    // ---- commands ---------------------------------------------------------------------------------------

    @Test
    void commandsAreListedNewestFirstAndFilteredByHostAndStatus() throws Exception {
        assertEquals(List.of("cmd-proposed", "cmd-to-reject", "cmd-verified", "cmd-issued"),
                ids(ok(get("/api/v1/commands", VIEWER)).get("items"), "commandId"));
        assertEquals(List.of("cmd-issued"), ids(ok(get("/api/v1/commands?host=gw-2", VIEWER)).get("items"),
                "commandId"));
        assertEquals(List.of("cmd-verified"), ids(ok(get("/api/v1/commands?status=verified", VIEWER)).get("items"),
                "commandId"));
        JsonNode page = ok(get("/api/v1/commands?limit=3", VIEWER));
        assertEquals(List.of("cmd-issued"), ids(ok(get("/api/v1/commands?limit=3&cursor="
                + page.get("nextCursor").asText(), VIEWER)).get("items"), "commandId"));
        problem(get("/api/v1/commands?status=exploded", VIEWER), 400, "status 'exploded' is not one of");
        // issued in [from, to): T+1 s and T+2 s, not T (before) nor T+3 s (the upper bound is open)
        assertEquals(List.of("cmd-to-reject", "cmd-verified"), ids(ok(get("/api/v1/commands?from="
                + T.plusSeconds(1) + "&to=" + T.plusSeconds(3), VIEWER)).get("items"), "commandId"));
        assertEquals(List.of("cmd-proposed", "cmd-to-reject"), ids(ok(get("/api/v1/commands?from="
                + T.plusSeconds(2), VIEWER)).get("items"), "commandId"));
        assertEquals(List.of("cmd-issued"), ids(ok(get("/api/v1/commands?to=" + T.plusSeconds(1), VIEWER))
                .get("items"), "commandId"));
        problem(get("/api/v1/commands?from=" + T.plusSeconds(3) + "&to=" + T, VIEWER), 400, "is not before");
        problem(get("/api/v1/commands?from=yesterday", VIEWER), 400, "not an ISO-8601 time");
    }

    @Test
    void aCommandComesWithItsResultsAndVerificationOutcome() throws Exception {
        JsonNode detail = ok(get("/api/v1/commands/cmd-verified", VIEWER));

        assertEquals("verified", detail.get("command").get("status").asText());
        assertEquals("APPLIED", detail.get("results").get(0).get("status").asText());
        assertEquals("VERIFIED", detail.get("outcome").get("verdict").asText());
        assertEquals(12.5, detail.get("outcome").get("valueBefore").asDouble());
        assertTrue(detail.get("decision").isNull());
        problem(get("/api/v1/commands/cmd-nope", VIEWER), 404, "no command 'cmd-nope'");
    }

    @Test
    void anOperatorsApprovalGoesToKafkaSignedWithTheTokenName() throws Exception {
        HttpResponse<String> response = post("/api/v1/commands/cmd-proposed/approve", OPERATOR,
                "{\"reason\": \"squeeze is hurting tun0\"}");

        assertEquals(202, response.statusCode(), response.body());
        CommandDecision sent = readDecision("cmd-proposed");
        assertEquals(Decision.APPROVE, sent.getDecision());
        assertEquals("alice", sent.getOperator());
        assertEquals("gw-1", sent.getHostId());
        assertEquals("squeeze is hurting tun0", sent.getReason());
        assertEquals(SignatureVerdict.VALID, new DecisionSignatureVerifier(KeyRing.of(
                List.of(DecisionTopic.API_KEYS.getPublic()))).verify(sent), "signed with the api's key");
    }

    @Test
    void withoutADecisionKeyApprovingAnswers503AndSendsNothing() throws Exception {
        try (ApiServer keyless = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT,
                Clock.systemUTC(), DecisionTopic.tokens(VIEWER, OPERATOR),
                DecisionPublisher.withoutKey("no decision key (TUNNELVISION_API_DECISION_KEY_FILE)"), new Health(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(0)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + keyless.port() + "/api/v1/commands/cmd-proposed/approve"))
                    .header("Authorization", "Bearer " + OPERATOR).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(503, response.statusCode(), response.body());
            assertTrue(response.body().contains("TUNNELVISION_API_DECISION_KEY_FILE"), response.body());
        }
    }

    @Test
    void anOperatorsRejectionGoesToKafka() throws Exception {
        assertEquals(202, post("/api/v1/commands/cmd-to-reject/reject", OPERATOR, "").statusCode());

        assertEquals(Decision.REJECT, readDecision("cmd-to-reject").getDecision());
    }

    @Test
    void decisionErrorsSayWhatWasWrong() throws Exception {
        problem(post("/api/v1/commands/cmd-verified/approve", OPERATOR, ""), 409, "is verified; only proposed");
        problem(post("/api/v1/commands/cmd-nope/reject", OPERATOR, ""), 404, "no command 'cmd-nope'");
        problem(post("/api/v1/commands/cmd-proposed/approve", OPERATOR, "[1,2"), 400, "must be JSON");
        problem(post("/api/v1/commands/cmd-proposed/approve", OPERATOR, "{\"reason\": 7}"), 400, "reason must be");
    }

    // ---- latency ----------------------------------------------------------------------------------------

    @Test
    void latencyComparesOverlayWithUnderlay() throws Exception {
        JsonNode latency = ok(get("/api/v1/latency?host=gw-1&peer=gw-2&from=" + T + "&to=" + T.plusSeconds(600),
                VIEWER));

        assertEquals(12, latency.get("probes").size());
        assertEquals(1500.0, latency.get("paths").get("OVERLAY").get("rttAvgUs").asDouble());
        assertEquals(600.0, latency.get("overlayOverheadUs").asDouble(), "1500 us through the tunnel, 900 around");
        assertEquals(0, ok(get("/api/v1/latency?host=gw-1&peer=gw-9&from=" + T + "&to=" + T.plusSeconds(600),
                VIEWER)).get("probes").size());
        problem(get("/api/v1/latency?peer=gw-2", VIEWER), 400, "'host' is required");
        problem(get("/api/v1/latency?host=gw-nobody", VIEWER), 404, "no host");
    }

    // ---- injection --------------------------------------------------------------------------------------

    @Test
    void sqlInParametersIsJustTextThatMatchesNothing() throws Exception {
        long hosts = rows("hosts");
        long commands = rows("commands");
        long link = rows("link_rates");
        for (String evil : INJECTIONS) {
            problem(get("/api/v1/hosts/" + q(evil).replace("+", "%20"), VIEWER), 404, "no host");
            problem(get("/api/v1/series?host=" + q(evil) + "&metric=net_rx", VIEWER), 404, "no host");
            assertEquals(0, ok(get("/api/v1/series?host=gw-1&metric=rx_packets&iface=" + q(evil), VIEWER))
                    .get("points").size());
            assertEquals(0, ok(get("/api/v1/hotspots?host=" + q(evil), VIEWER)).get("items").size());
            assertEquals(0, ok(get("/api/v1/commands?host=" + q(evil), VIEWER)).get("items").size());
            problem(get("/api/v1/commands/" + q(evil).replace("+", "%20"), VIEWER), 404, "no command");
            problem(get("/api/v1/latency?host=" + q(evil) + "&peer=" + q(evil), VIEWER), 404, "no host");
            assertEquals(0, ok(get("/api/v1/latency?host=gw-1&peer=" + q(evil), VIEWER)).get("probes").size());
            problem(get("/api/v1/series?host=gw-1&metric=" + q(evil), VIEWER), 400, "unknown metric");
        }
        assertEquals(hosts, rows("hosts"));
        assertEquals(commands, rows("commands"));
        assertEquals(link, rows("link_rates"));
    }

    private static List<String> ids(JsonNode items, String field) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get(field).asText()));
        return ids;
    }

    private static CommandDecision readDecision(String commandId) {
        var record = DecisionTopic.first(topics.commandDecisions, commandId);
        assertEquals(record.value().getHostId(), record.key(), "keyed by host");
        return record.value();
    }

    @Test
    void fieldsWithoutValueAreNullNotMissing() throws Exception {
        JsonNode detail = ok(get("/api/v1/commands/cmd-issued", VIEWER));
        assertTrue(detail.has("outcome"));
        assertNull(detail.get("outcome").textValue());
        assertFalse(detail.get("command").get("proposed").asBoolean());
    }
}
