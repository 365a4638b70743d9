package io.tunnelvision.agent.metrics;

import io.tunnelvision.agent.apply.CommandCounts;
import io.tunnelvision.agent.apply.Delivery;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.agent.probe.ReflectorCounts;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.SpoolSender;
import io.tunnelvision.agent.run.AgentLoop;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import java.util.List;

/** The agent's own cost and health, rendered for a Prometheus scrape. */
public final class AgentMetrics {

    private final CollectorRegistry collectors;
    private final DiskSpool spool;
    private final SpoolSender sender;
    private final AgentLoop loop;
    private final CommandCounts commands;
    private final ReflectorCounts reflector;

    public AgentMetrics(CollectorRegistry collectors, DiskSpool spool, SpoolSender sender, AgentLoop loop,
                        CommandCounts commands, ReflectorCounts reflector) {
        this.commands = commands;
        this.reflector = reflector;
        this.collectors = collectors;
        this.spool = spool;
        this.sender = sender;
        this.loop = loop;
    }

    public String render() {
        PrometheusText text = new PrometheusText();
        List<CollectorStats> stats = collectors.stats();
        text.family("tunnelvision_collector_runs_total", "counter", "Collection attempts per collector.");
        stats.forEach(s -> text.sample("tunnelvision_collector_runs_total", "collector", s.name(), s.runs()));
        text.family("tunnelvision_collector_failures_total", "counter", "Collections that produced no sample.");
        stats.forEach(s -> text.sample("tunnelvision_collector_failures_total", "collector", s.name(), s.failures()));
        text.family("tunnelvision_collector_last_success", "gauge", "1 if the last collection succeeded.");
        stats.forEach(s -> text.sample("tunnelvision_collector_last_success", "collector", s.name(),
                s.lastSucceeded() ? 1 : 0));
        text.family("tunnelvision_collector_duration_seconds_total", "counter", "Time spent collecting.");
        stats.forEach(s -> text.sample("tunnelvision_collector_duration_seconds_total", "collector", s.name(),
                s.totalDurationNanos() / 1e9));
        text.family("tunnelvision_collector_last_duration_seconds", "gauge", "Duration of the last collection.");
        stats.forEach(s -> text.sample("tunnelvision_collector_last_duration_seconds", "collector", s.name(),
                s.lastDurationNanos() / 1e9));
        text.family("tunnelvision_collector_malformed_lines_total", "counter",
                "Lines skipped because they did not parse.");
        stats.forEach(s -> text.sample("tunnelvision_collector_malformed_lines_total", "collector", s.name(),
                s.malformedLines()));
        text.family("tunnelvision_collector_unavailable_total", "counter",
                "Rounds with an empty sample because the source could not be read (wg missing or failing).");
        stats.forEach(s -> text.sample("tunnelvision_collector_unavailable_total", "collector", s.name(),
                s.unavailableRounds()));
        text.family("tunnelvision_spool_bytes", "gauge", "Bytes waiting in the on-disk spool.")
                .sample("tunnelvision_spool_bytes", spool.bytes());
        text.family("tunnelvision_spool_pending_records", "gauge", "Samples not yet delivered to Kafka.")
                .sample("tunnelvision_spool_pending_records", spool.pendingRecords());
        text.family("tunnelvision_spool_dropped_records_total", "counter",
                        "Samples dropped because the spool reached its size limit.")
                .sample("tunnelvision_spool_dropped_records_total", spool.droppedRecords());
        text.family("tunnelvision_spool_corrupt_records_total", "counter",
                        "Unsent records lost to damage in the spool (a torn write, a flipped bit), one per record.")
                .sample("tunnelvision_spool_corrupt_records_total", spool.corruptRecords());
        text.family("tunnelvision_spool_unreadable_records_total", "counter",
                        "Unsent records of spool segments that vanished or could not be read three times.")
                .sample("tunnelvision_spool_unreadable_records_total", spool.unreadableRecords());
        text.family("tunnelvision_spool_append_failures_total", "counter",
                        "Records the spool's disk did not take (full or failing); nothing of them is left behind.")
                .sample("tunnelvision_spool_append_failures_total", spool.appendFailures());
        text.family("tunnelvision_spool_fsyncs_total", "counter", "Forces of the spool to disk.")
                .sample("tunnelvision_spool_fsyncs_total", spool.fsyncs());
        text.family("tunnelvision_spool_fsync_seconds_total", "counter", "Time spent forcing the spool to disk.")
                .sample("tunnelvision_spool_fsync_seconds_total", spool.fsyncNanos() / 1e9);
        text.family("tunnelvision_spool_fsync_failures_total", "counter", "Forces of the spool that failed.")
                .sample("tunnelvision_spool_fsync_failures_total", spool.fsyncFailures());
        text.family("tunnelvision_samples_published_total", "counter", "Samples written to the spool.")
                .sample("tunnelvision_samples_published_total", loop.publishedSamples());
        text.family("tunnelvision_samples_sent_total", "counter", "Samples Kafka committed.")
                .sample("tunnelvision_samples_sent_total", sender.sentRecords());
        text.family("tunnelvision_send_failures_total", "counter", "Batches Kafka did not take (retried).")
                .sample("tunnelvision_send_failures_total", sender.failedBatches());
        text.family("tunnelvision_commands_total", "counter",
                "Tuning commands answered, by result status (REJECTED and EXPIRED were refused before any write).");
        for (CommandStatus status : CommandStatus.values()) {
            if (status != CommandStatus.UNKNOWN) {
                text.sample("tunnelvision_commands_total", "status", status.name(), commands.of(status));
            }
        }
        text.family("tunnelvision_commands_redelivered_total", "counter",
                "Tuning commands delivered again: repeat (answered with the first result, nothing done) or resumed"
                        + " (taken on before a restart without a result: checked again against the kernel).");
        for (Delivery delivery : List.of(Delivery.REPEAT, Delivery.RESUMED)) {
            text.sample("tunnelvision_commands_redelivered_total", "delivery", delivery.label(),
                    commands.of(delivery));
        }
        text.family("tunnelvision_probe_reflector_answered_total", "counter", "Peers' probes answered.")
                .sample("tunnelvision_probe_reflector_answered_total", reflector.answeredProbes());
        text.family("tunnelvision_probe_reflector_dropped_total", "counter",
                "Datagrams the probe reflector left unanswered, by reason: not_a_probe, stranger (no peer's"
                        + " address), over_budget (the peer address's replies this second are spent).");
        for (ReflectorCounts.Drop drop : ReflectorCounts.Drop.values()) {
            text.sample("tunnelvision_probe_reflector_dropped_total", "reason", drop.label(), reflector.of(drop));
        }
        text.family("tunnelvision_probe_reflector_over_budget_total", "counter",
                "Probes dropped over budget, by peer address: a flood shows where it comes from (or claims to).");
        reflector.overBudgetByPeer().forEach((peer, n) ->
                text.sample("tunnelvision_probe_reflector_over_budget_total", "peer_address", peer, n));
        text.family("tunnelvision_command_signature_refusals_total", "counter",
                "Tuning commands refused for their signature, by why (REVOKED: signed by a revoked key).");
        for (SignatureVerdict verdict : SignatureVerdict.values()) {
            if (verdict != SignatureVerdict.VALID) {
                text.sample("tunnelvision_command_signature_refusals_total", "verdict", verdict.name(),
                        commands.signatureRefusals(verdict));
            }
        }
        return text.toString();
    }
}
