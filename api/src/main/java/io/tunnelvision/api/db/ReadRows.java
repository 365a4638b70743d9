package io.tunnelvision.api.db;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;

/** What the read DAOs return; the HTTP API writes them as JSON as they are (JSON columns stay raw JSON). */
public final class ReadRows {

    private ReadRows() {
    }

    public record HostSummary(String hostId, String bootId, String agentVersion, Instant firstSeen, Instant lastSeen,
                              int openHotspots, String[] openHotspotTypes) {
    }

    public record InterfaceState(String iface, Instant since, int ifindex, String kind, int mtu, int txQueueLen,
                                 String operState, @JsonRawValue String rxQueues, String underlay) {
    }

    public record KernelState(Instant since, Long rmemMax, Long wmemMax, Long netdevBudget, Long netdevBudgetUsecs,
                              Long netdevMaxBacklog, Long rpsSockFlowEntries, @JsonRawValue String rpFilter,
                              @JsonRawValue String cpuGovernors) {
    }

    public record Hotspot(String hotspotId, String scope, String hostId, String type, String severity, String state,
                          String target, String summary, @JsonRawValue String evidence, String[] hosts,
                          Instant windowStart, Instant windowEnd, Instant openedAt, Instant updatedAt,
                          Instant closedAt) {
    }

    public record Command(String commandId, String hostId, String status, long sequence, Instant issuedAt,
                          Instant expiresAt, String action, String target, String newValue, String expectedValue,
                          String hotspotId, String reason, boolean dryRun, String rollbackOf, String keyId,
                          boolean proposed, boolean published) {
    }

    public record Decision(String decision, String operator, String reason, Instant decidedAt) {
    }

    public record Result(String status, String reason, String valueBefore, String valueAfter, Instant reportedAt,
                         String agentVersion) {
    }

    public record Outcome(String verdict, String hotspotId, String metric, double valueBefore, double valueAfter,
                          String rollbackCommandId, Instant decidedAt) {
    }

    public record Probe(Instant ts, String peer, String path, int sizeBytes, int sent, int received, Integer rttMinUs,
                        Integer rttAvgUs, Integer rttMaxUs, Integer jitterUs, float lossRatio, String tunnelIface,
                        String address) {
    }

    public record PathSummary(String path, long probes, Double rttAvgUs, Double jitterAvgUs, Double lossRatio) {
    }

    public record Count(String key, long count) {
    }

    public record Point(Instant t, Double avg, Double max, long rows) {
    }
}
