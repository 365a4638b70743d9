package io.tunnelvision.api.alert;

import static io.tunnelvision.api.TestDatabase.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ingest derives alert events in its transactions and the senders deliver them to a real HTTP server acting as
 * Alertmanager and as the webhook, on a real PostgreSQL.
 */
class AlertDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "webhook-secret-for-the-test-0123456789";
    private static final String PUBLIC_URL = "https://tv.example.net";

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(120);
    private Database database;
    private AlertReceiver receiver;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void setUp() {
        database = TestDatabase.fresh("alert_delivery_it");
        receiver = new AlertReceiver();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        receiver.close();
        database.close();
    }

    private AlertSettings settings(boolean alertmanager, boolean webhook, Duration resend) {
        return new AlertSettings(alertmanager ? Optional.of(receiver.alertmanager()) : Optional.empty(),
                webhook ? Optional.of(receiver.webhook()) : Optional.empty(),
                webhook ? Optional.of(WebhookSecret.of(SECRET)) : Optional.empty(), Optional.of(PUBLIC_URL),
                Duration.ofSeconds(2), resend, Duration.ofHours(24), Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    private IngestWriter writer(Alerts alerts) {
        return new IngestWriter(database.jdbi(),
                new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, Clock.systemUTC()),
                RowSink.multiRowInsert(), alerts.recorder());
    }

    private Alerts started(AlertSettings settings) {
        Alerts alerts = new Alerts(database.jdbi(), settings, metrics, Clock.systemUTC()).start();
        running.add(alerts);
        return alerts;
    }

    private Hotspot hotspot(HotspotState state, Severity severity, int second) {
        Hotspot h = TestRecords.hotspot("hs-1", "gw-1", HotspotType.TX_DROPS, state, t0, t0.plusSeconds(second));
        h.setSeverity(severity);
        h.setTarget("tun0");
        return h;
    }

    private static Item item(Source source, org.apache.avro.specific.SpecificRecord value) {
        return new Item(source, value);
    }

    @Test
    void eachTransitionArrivesOnceAtAlertmanagerAndAtTheWebhookSignedAndInOrder() throws Exception {
        Alerts alerts = new Alerts(database.jdbi(), settings(true, true, Duration.ofHours(1)), metrics,
                Clock.systemUTC());
        IngestWriter writer = writer(alerts);
        TuningCommand refused = TestRecords.command("cmd-1", "gw-1", t0.plusSeconds(1));
        TuningCommand backfired = TestRecords.command("cmd-2", "gw-1", t0.plusSeconds(2));
        List<Item> first = List.of(
                item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-1", t0, 1, 1420)),
                item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.WARNING, 0)),
                item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.WARNING, 1)),
                item(Source.COMMANDS, refused), item(Source.COMMANDS, backfired),
                item(Source.COMMAND_RESULTS, TestRecords.result("cmd-1", "gw-1", CommandStatus.REJECTED,
                        t0.plusSeconds(3))));
        // Given every record written, and written again as a redelivery after a rebalance would
        writer.write(first);
        writer.write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.CRITICAL, 5))));
        writer.write(first);
        writer.write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.CLOSED, Severity.CRITICAL, 9)),
                item(Source.COMMAND_OUTCOMES, TestRecords.outcome("cmd-2", "gw-1", Verdict.ROLLED_BACK,
                        t0.plusSeconds(10)))));
        writer.write(first);
        assertEquals(5, count(database, "SELECT count(*) FROM alert_events"));

        // When the senders run
        running.add(alerts.start());

        // Then each transition arrives once at the webhook, signed, in the order it happened
        List<JsonNode> events = Await.until(WAIT, receiver::webhookEvents, e -> e.size() >= 5, "5 webhook events");
        List<String> keys = events.stream().map(e -> e.get("dedupeKey").asText()).toList();
        assertEquals(5, new HashSet<>(keys).size(), "no event twice: " + keys);
        List<String> hotspotEvents = events.stream().filter(e -> e.get("alertKey").asText().equals("hotspot:hs-1"))
                .map(e -> e.get("event").asText()).toList();
        assertEquals(List.of("hotspot.opened", "hotspot.escalated", "hotspot.closed"), hotspotEvents);
        assertEquals(Set.of("hotspot.opened", "hotspot.escalated", "hotspot.closed", "command.refused",
                "change.rolled_back"), new HashSet<>(events.stream().map(e -> e.get("event").asText()).toList()));
        JsonNode opened = events.stream().filter(e -> e.get("event").asText().equals("hotspot.opened")).findFirst()
                .orElseThrow();
        assertEquals("gw-1", opened.get("host").asText());
        assertEquals("TX_DROPS", opened.get("type").asText());
        assertEquals("warning", opened.get("severity").asText());
        assertEquals("tun0", opened.get("tunnel").asText());
        assertEquals(PUBLIC_URL + "/ui/gateway.html?host=gw-1", opened.get("dashboardUrl").asText());
        assertEquals(t0.toString(), opened.get("startsAt").asText());
        JsonNode escalated = events.stream().filter(e -> e.get("event").asText().equals("hotspot.escalated"))
                .findFirst().orElseThrow();
        assertEquals("warning", escalated.get("previousSeverity").asText());
        assertEquals("critical", escalated.get("severity").asText());
        for (AlertReceiver.Request r : receiver.requests(AlertReceiver.WEBHOOK_PATH)) {
            String ts = r.header(WebhookSignature.TIMESTAMP_HEADER);
            String sig = r.header(WebhookSignature.SIGNATURE_HEADER);
            assertTrue(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), ts, sig, r.body(),
                    Instant.now()), "signed with the secret");
            assertFalse(WebhookSignature.verify("another-secret-of-the-same-size-012345".getBytes(
                    StandardCharsets.UTF_8), ts, sig, r.body(), Instant.now()), "not with another secret");
            assertEquals(r.json().get("dedupeKey").asText(), r.header(WebhookTarget.IDEMPOTENCY_HEADER));
        }

        // and Alertmanager gets the alert fired, its warning resolved and its critical fired, then resolved
        List<JsonNode> am = Await.until(WAIT, receiver::alertmanagerAlerts, a -> a.size() >= 6, "6 alerts");
        List<String> hotspotAlerts = am.stream().filter(a -> a.get("labels").has("hotspot"))
                .map(a -> a.get("labels").get("severity").asText() + (ended(a) ? " resolved" : " firing")).toList();
        assertEquals(List.of("warning firing", "warning resolved", "critical firing", "critical resolved"),
                hotspotAlerts);
        JsonNode first0 = am.get(0);
        assertEquals("TunnelvisionHotspot", first0.get("labels").get("alertname").asText());
        assertEquals("gw-1", first0.get("labels").get("host").asText());
        assertEquals("TX_DROPS", first0.get("labels").get("type").asText());
        assertEquals("tun0", first0.get("labels").get("tunnel").asText());
        assertEquals(PUBLIC_URL + "/ui/gateway.html?host=gw-1", first0.get("generatorURL").asText());
        assertTrue(first0.get("annotations").has("summary") && first0.get("annotations").has("description"));
        JsonNode closed = am.stream().filter(a -> a.get("labels").has("hotspot") && ended(a)).reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(t0.plusSeconds(9).toString(), closed.get("endsAt").asText());
        assertEquals(Set.of("TunnelvisionCommandRefused", "TunnelvisionChangeRolledBack"), new HashSet<>(
                am.stream().filter(a -> !a.get("labels").has("hotspot"))
                        .map(a -> a.get("labels").get("alertname").asText()).toList()));

        Thread.sleep(1_000);
        assertEquals(5, receiver.webhookEvents().size(), "nothing sent twice");
        assertEquals(6, receiver.alertmanagerAlerts().size(), "nothing sent twice");
        assertEquals(5.0, metrics.get("tunnelvision.alert.deliveries").tag("target", "webhook")
                .tag("result", "sent").counter().count());
        Await.until(WAIT, () -> metrics.get("tunnelvision.alert.pending").tag("target", "webhook").gauge().value(),
                v -> v == 0.0, "nothing pending");
    }

    @Test
    void aReceiverThatAnswers500GetsTheEventLaterOnceAndTheFailuresAreCounted() throws Exception {
        Alerts alerts = new Alerts(database.jdbi(), settings(false, true, Duration.ofHours(1)), metrics,
                Clock.systemUTC());
        receiver.failNext(3);
        writer(alerts).write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.WARNING, 0))));

        running.add(alerts.start());

        List<AlertReceiver.Request> got = Await.until(WAIT,
                () -> receiver.requests(AlertReceiver.WEBHOOK_PATH), r -> !r.isEmpty(), "the event after retries");
        assertEquals(3, receiver.refused());
        assertEquals("4", got.get(0).header(WebhookTarget.ATTEMPT_HEADER));
        assertEquals("hotspot-opened:hs-1", got.get(0).header(WebhookTarget.IDEMPOTENCY_HEADER));
        assertEquals(3.0, metrics.get("tunnelvision.alert.deliveries").tag("target", "webhook")
                .tag("result", "failed").counter().count());
        Thread.sleep(1_000);
        assertEquals(1, receiver.requests(AlertReceiver.WEBHOOK_PATH).size());
        assertEquals(1, count(database,
                "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NOT NULL AND attempts = 4"));
    }

    @Test
    void anUnreachableTargetKeepsTheEventPendingAndTheGaugesSaySo() throws Exception {
        AlertSettings unreachable = new AlertSettings(Optional.empty(),
                Optional.of(URI.create("http://127.0.0.1:9/hook")), Optional.of(WebhookSecret.of(SECRET)),
                Optional.empty(), Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofHours(24),
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(2));
        Alerts alerts = new Alerts(database.jdbi(), unreachable, metrics, Clock.systemUTC());
        writer(alerts).write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.WARNING, 0))));

        running.add(alerts.start());

        Await.until(WAIT, () -> metrics.get("tunnelvision.alert.deliveries").tag("target", "webhook")
                .tag("result", "failed").counter().count(), c -> c >= 2, "failed attempts counted");
        assertEquals(1.0, metrics.get("tunnelvision.alert.pending").tag("target", "webhook").gauge().value());
        assertTrue(metrics.get("tunnelvision.alert.oldest.pending.age").tag("target", "webhook").gauge().value() > 0);
        assertEquals(1, count(database, "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL"
                + " AND attempts >= 2 AND last_error LIKE 'cannot reach%'"));
    }

    @Test
    void aFiringAlertIsSentToAlertmanagerAgainUntilItsHotspotCloses() throws Exception {
        Alerts alerts = new Alerts(database.jdbi(), settings(true, false, Duration.ofSeconds(1)), metrics,
                Clock.systemUTC());
        IngestWriter writer = writer(alerts);
        writer.write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.OPEN, Severity.WARNING, 0))));

        running.add(alerts.start());

        List<JsonNode> firing = Await.until(WAIT, receiver::alertmanagerAlerts, a -> a.size() >= 3,
                "the alert sent and re-sent twice");
        for (JsonNode a : firing) {
            assertFalse(ended(a), "firing: " + a);
            assertEquals(t0.toString(), a.get("startsAt").asText());
        }
        assertTrue(Instant.parse(firing.get(2).get("endsAt").asText())
                .isAfter(Instant.parse(firing.get(0).get("endsAt").asText())), "each resend moves endsAt on");

        writer.write(List.of(item(Source.HOTSPOTS, hotspot(HotspotState.CLOSED, Severity.WARNING, 9))));
        Await.until(WAIT, receiver::alertmanagerAlerts, a -> ended(a.get(a.size() - 1)), "the alert resolved");
        int afterResolve = receiver.alertmanagerAlerts().size();
        Thread.sleep(2_500);
        assertEquals(afterResolve, receiver.alertmanagerAlerts().size(), "no resend after the hotspot closed");
        assertEquals(0, count(database, "SELECT count(*) FROM alert_firing"));
    }

    @Test
    void aSilentAgentAlertsOnceEvenFromTwoJobsAndResolvesWhenItSendsAgain() throws Exception {
        AlertSettings settings = settings(false, true, Duration.ofHours(1));
        Alerts alerts = new Alerts(database.jdbi(), settings, metrics, Clock.systemUTC());
        IngestWriter writer = writer(alerts);
        Instant now = Instant.now();
        writer.write(List.of(item(Source.KERNEL_RATES, TestRecords.kernel("gw-quiet", now.minusSeconds(30), 1, 0)),
                item(Source.KERNEL_RATES, TestRecords.kernel("gw-live", now, 1, 0))));
        SilenceJob one = new SilenceJob(database.jdbi(), alerts.recorder(), settings.silentAfter());
        SilenceJob two = new SilenceJob(database.jdbi(), new AlertRecorder(settings, Clock.systemUTC()),
                settings.silentAfter());
        assertEquals(0, one.runOnce(), "nothing silent while the job has not run for the threshold yet");
        Thread.sleep(settings.silentAfter().toMillis() + 100);
        writer.write(List.of(item(Source.KERNEL_RATES, TestRecords.kernel("gw-live", Instant.now(), 2, 0))));

        assertEquals(1, one.runOnce() + two.runOnce() + one.runOnce());

        writer.write(List.of(item(Source.KERNEL_RATES, TestRecords.kernel("gw-quiet", Instant.now(), 2, 0))));
        assertEquals(1, two.runOnce() + one.runOnce());
        AlertSender webhook = new AlertSender(database.jdbi(), new WebhookTarget(receiver.webhook(),
                WebhookSecret.of(SECRET), Duration.ofSeconds(5), Clock.systemUTC()), settings, metrics);
        webhook.runOnce();
        List<JsonNode> events = receiver.webhookEvents();
        assertEquals(List.of("agent.silent", "agent.back"), events.stream().map(e -> e.get("event").asText()).toList());
        assertEquals("gw-quiet", events.get(0).get("host").asText());
        assertEquals(List.of("gw-quiet"), events.stream().map(e -> e.get("host").asText()).distinct().toList());
    }

    @Test
    void noAgentIsSilentWhileNoHostAtAllReports() throws Exception {
        AlertSettings settings = settings(false, false, Duration.ofHours(1));
        Alerts alerts = new Alerts(database.jdbi(), settings, metrics, Clock.systemUTC());
        writer(alerts).write(List.of(
                item(Source.KERNEL_RATES, TestRecords.kernel("gw-a", Instant.now().minusSeconds(30), 1, 0)),
                item(Source.KERNEL_RATES, TestRecords.kernel("gw-b", Instant.now().minusSeconds(40), 1, 0))));
        SilenceJob job = new SilenceJob(database.jdbi(), alerts.recorder(), settings.silentAfter());
        Thread.sleep(settings.silentAfter().toMillis() + 100);

        assertEquals(0, job.runOnce());
        assertEquals(0, count(database, "SELECT count(*) FROM alert_events"));
    }

    private static boolean ended(JsonNode alert) {
        // resolved as Alertmanager sees it: its end is not after the moment it arrived
        return !Instant.parse(alert.get("endsAt").asText()).isAfter(Instant.parse(alert.get("receivedAt").asText()));
    }
}
