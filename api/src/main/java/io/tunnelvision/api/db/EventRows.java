package io.tunnelvision.api.db;

import java.time.Instant;

/** Rows of the event tables as ingest writes them. JSON columns travel as JSON text. */
public final class EventRows {

    private EventRows() {
    }

    public record Hotspot(String hotspotId, String scope, String hostId, String type, String severity, String state,
                          String target, String summary, String evidenceJson, String[] hosts, Instant windowStart,
                          Instant windowEnd, Instant openedAt, Instant updatedAt, Instant closedAt) {
    }

    public record Command(String commandId, String hostId, long sequence, Instant issuedAt, Instant expiresAt,
                          String action, String target, String newValue, String expectedValue, String hotspotId,
                          String reason, boolean dryRun, String rollbackOf, String keyId, boolean proposed,
                          boolean published) {
    }

    public record Decision(String commandId, String hostId, String decision, String operator, String reason,
                           Instant decidedAt) {
    }

    public record Result(String commandId, String status, String hostId, String reason, String valueBefore,
                         String valueAfter, Instant reportedAt, String agentVersion) {
    }

    public record Outcome(String commandId, String hostId, String hotspotId, String verdict, String metric,
                          double valueBefore, double valueAfter, String rollbackCommandId, Instant decidedAt) {
    }

    public record InterfaceConfig(int hostKey, Instant validFrom, int ifindex, int mtu, int txQueueLen, String iface,
                                  String kind, String operState, String rxQueuesJson, String underlay) {
    }

    public record KernelSettings(int hostKey, Instant validFrom, Long rmemMax, Long wmemMax, Long netdevBudget,
                                 Long netdevBudgetUsecs, Long netdevMaxBacklog, Long rpsSockFlowEntries,
                                 String rpFilterJson, String cpuGovernorsJson) {
    }
}
