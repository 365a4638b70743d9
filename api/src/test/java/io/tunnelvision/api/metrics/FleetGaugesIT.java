package io.tunnelvision.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.db.Database;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet gauges read from a real PostgreSQL and scraped as Prometheus text, the way an operator's Prometheus
 * sees them: open hotspots by type and severity, commands by status, verdicts, and each agent's last-seen age.
 */
class FleetGaugesIT {

    private final Database database = TestDatabase.fresh("fleet_gauges");
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FleetGauges gauges = new FleetGauges(database.jdbi(), metrics, Clock.systemUTC());

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void anEmptyFleetExportsOnlyTheFiguresAge() {
        assertTrue(Double.isNaN(sample("tunnelvision_api_fleet_stats_age_seconds")), "before the first read");
        gauges.refresh();
        assertTrue(sample("tunnelvision_api_fleet_stats_age_seconds") < 5.0);
        assertEquals(Map.of(), series("tunnelvision_api_hotspots_open"));
        assertEquals(Map.of(), series("tunnelvision_api_commands"));
    }

    @Test
    void theGaugesCountWhatTheDatabaseHolds() {
        database.jdbi().useHandle(h -> {
            hotspot(h, "h1", "gw-1", "SOFTIRQ_SQUEEZE", "WARNING", "OPEN");
            hotspot(h, "h2", "gw-2", "SOFTIRQ_SQUEEZE", "WARNING", "OPEN");
            hotspot(h, "h3", "gw-2", "IRQ_CONCENTRATION", "CRITICAL", "OPEN");
            hotspot(h, "h4", "gw-3", "IRQ_CONCENTRATION", "CRITICAL", "CLOSED");
            command(h, "c1", true);
            command(h, "c2", true);
            command(h, "c3", false);
            command(h, "c4", true);
            outcome(h, "c1", "VERIFIED");
            outcome(h, "c2", "ROLLED_BACK");
            h.execute("INSERT INTO hosts (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence) VALUES"
                    + " ('gw-1', 'b', 'v', now() - interval '1 hour', now() - interval '120 seconds', 9),"
                    + " ('gw-2', 'b', 'v', now() - interval '1 hour', now() - interval '5 seconds', 9)");
        });
        gauges.refresh();

        assertEquals(Map.of("severity=\"WARNING\",type=\"SOFTIRQ_SQUEEZE\"", 2.0,
                        "severity=\"CRITICAL\",type=\"IRQ_CONCENTRATION\"", 1.0),
                series("tunnelvision_api_hotspots_open"));
        assertEquals(Map.of("status=\"verified\"", 1.0, "status=\"rolled_back\"", 1.0, "status=\"proposed\"", 1.0,
                "status=\"issued\"", 1.0), series("tunnelvision_api_commands"));
        assertEquals(Map.of("verdict=\"VERIFIED\"", 1.0, "verdict=\"ROLLED_BACK\"", 1.0),
                series("tunnelvision_api_command_verdicts"));
        Map<String, Double> ages = series("tunnelvision_api_agent_last_seen_age_seconds");
        assertEquals(2, ages.size(), ages.toString());
        assertEquals(120.0, ages.get("host=\"gw-1\""), 5.0);
        assertEquals(5.0, ages.get("host=\"gw-2\""), 5.0);

        // what is no longer there leaves the export
        database.jdbi().useHandle(h -> {
            h.execute("UPDATE hotspots SET state = 'CLOSED', closed_at = now() WHERE type = 'IRQ_CONCENTRATION'");
            h.execute("DELETE FROM hosts WHERE host_id = 'gw-2'");
        });
        gauges.refresh();
        assertEquals(Map.of("severity=\"WARNING\",type=\"SOFTIRQ_SQUEEZE\"", 2.0),
                series("tunnelvision_api_hotspots_open"));
        assertEquals(Set.of("host=\"gw-1\""), series("tunnelvision_api_agent_last_seen_age_seconds").keySet());
    }

    @Test
    void whenTheDatabaseCannotAnswerTheLastFiguresStayAndTheirAgeGrows() throws Exception {
        database.jdbi().useHandle(h -> hotspot(h, "h1", "gw-1", "RPS_OFF", "INFO", "OPEN"));
        gauges.refresh();
        double before = sample("tunnelvision_api_fleet_stats_age_seconds");
        // the query fails from now on, as it would with the server away
        database.jdbi().useHandle(h -> h.execute("ALTER TABLE hotspots RENAME TO hotspots_away"));

        assertThrows(RuntimeException.class, gauges::refresh);
        Thread.sleep(1_100);
        assertEquals(Map.of("severity=\"INFO\",type=\"RPS_OFF\"", 1.0), series("tunnelvision_api_hotspots_open"));
        assertTrue(sample("tunnelvision_api_fleet_stats_age_seconds") >= before + 1.0);
    }

    private static void hotspot(Handle h, String id, String host, String type, String severity, String state) {
        h.createUpdate("""
                        INSERT INTO hotspots (hotspot_id, scope, host_id, type, severity, state, target, summary,
                            evidence, hosts, window_start, window_end, opened_at, updated_at, closed_at)
                        VALUES (:id, 'HOST', :host, :type, :severity, :state, 'eth0', 'test', '{}'::jsonb,
                            ARRAY[:host], now(), now(), now(), now(),
                            CASE WHEN :state = 'CLOSED' THEN now() END)
                        """)
                .bind("id", id).bind("host", host).bind("type", type).bind("severity", severity)
                .bind("state", state).execute();
    }

    private static void command(Handle h, String id, boolean published) {
        h.createUpdate("""
                        INSERT INTO commands (command_id, host_id, sequence, issued_at, expires_at, action, target,
                            new_value, expected_value, reason, dry_run, key_id, proposed, published)
                        VALUES (:id, 'gw-1', 1, now(), now() + interval '5 minutes', 'TXQUEUELEN', 'tun0', '1000',
                            '500', 'test', false, 'k1', NOT :published, :published)
                        """)
                .bind("id", id).bind("published", published).execute();
    }

    private static void outcome(Handle h, String id, String verdict) {
        h.createUpdate("""
                        INSERT INTO command_outcomes (command_id, host_id, verdict, metric, value_before, value_after,
                            decided_at)
                        VALUES (:id, 'gw-1', :verdict, 'txDropsPerSec', 10, 1, now())
                        """)
                .bind("id", id).bind("verdict", verdict).execute();
    }

    /** The label sets and values of one metric in the scrape. */
    private Map<String, Double> series(String name) {
        Map<String, Double> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metrics.scrape());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private double sample(String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics.scrape());
        assertTrue(m.find(), name + " in the scrape");
        return Double.parseDouble(m.group(1));
    }
}
