package io.tunnelvision.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.ReadRows;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.ManualCommand;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Commands, what became of them, the operator's approve/reject in approval mode, and commands issued by hand. */
final class CommandRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);
    /** Statuses a command can leave on its own (see the command_status view). */
    static final List<String> STATUSES = List.of("proposed", "approved", "rejected", "issued", "applied", "dry_run",
            "refused", "failed", "rolled_back", "expired", "verified", "inconclusive");
    /** Not finished yet: waiting for an operator, the agent, or the verification. */
    static final List<String> IN_FLIGHT = List.of("proposed", "approved", "issued", "applied");
    static final int MAX_REASON = 500;
    /** Longer than any action name, interface/queue target, IRQ set or CPU mask of a large host. */
    static final int MAX_MANUAL_FIELD = 200;

    private final ReadDao read;
    private final DecisionPublisher decisions;
    private final ObjectMapper json;
    private final Clock clock;

    CommandRoutes(ReadDao read, DecisionPublisher decisions, ObjectMapper json, Clock clock) {
        this.read = read;
        this.decisions = decisions;
        this.json = json;
        this.clock = clock;
    }

    void list(Context ctx) {
        String host = Params.optionalHost(ctx, "host");
        String status = Params.oneOf(ctx, "status", STATUSES);
        // issued in [from, to); either may be left out (no bound), unlike the series routes' default window:
        // an audit question is often "everything since the change window opened"
        Instant from = Params.instant(ctx, "from", null);
        Instant to = Params.instant(ctx, "to", null);
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiProblem.badRequest("from " + from + " is not before to " + to);
        }
        int limit = Params.limit(ctx);
        String cursorText = ctx.queryParam("cursor");
        Cursor cursor = cursorText == null || cursorText.isEmpty() ? null : Cursor.decode(cursorText, true);
        List<ReadRows.Command> rows = read.commands(host, status, from, to, cursor == null ? null : cursor.time(),
                cursor == null ? null : cursor.id(), limit + 1);
        boolean more = rows.size() > limit;
        List<ReadRows.Command> items = more ? rows.subList(0, limit) : rows;
        ReadRows.Command last = items.isEmpty() ? null : items.get(items.size() - 1);
        ctx.json(new Page<>(items, more ? Cursor.after(last.issuedAt(), last.commandId()).encode() : null));
    }

    void detail(Context ctx) {
        String id = commandId(ctx);
        ReadRows.Command command = read.command(id).orElseThrow(() -> unknownCommand(id));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", command);
        body.put("decision", read.decision(id).orElse(null));
        body.put("results", read.results(id));
        body.put("outcome", read.outcome(id).orElse(null));
        ctx.json(body);
    }

    record DecisionSent(String commandId, String hostId, String decision, String operator, String reason,
                        Instant decidedAt) {
    }

    void approve(Context ctx) {
        decide(ctx, Decision.APPROVE);
    }

    void reject(Context ctx) {
        decide(ctx, Decision.REJECT);
    }

    private void decide(Context ctx, Decision decision) {
        String id = commandId(ctx);
        String reason = reason(ctx);
        ReadRows.Command command = read.command(id).orElseThrow(() -> unknownCommand(id));
        if (!"proposed".equals(command.status())) {
            throw ApiProblem.conflict("command " + id + " is " + command.status()
                    + "; only proposed commands (approval mode) can be approved or rejected");
        }
        ApiToken token = ctx.attribute(ApiServer.TOKEN_ATTRIBUTE);
        Instant now = clock.instant();
        CommandDecision record = CommandDecision.newBuilder()
                .setCommandId(id)
                .setHostId(command.hostId())
                .setDecision(decision)
                .setOperator(token.name())
                .setReason(reason)
                .setTimeMs(now.toEpochMilli())
                .build();
        publish(record, "approving and rejecting");
        LOG.info("{} {} command {} for {}", token.name(), decision, id, command.hostId());
        ctx.status(202).json(new DecisionSent(id, command.hostId(), decision.name(), token.name(), reason, now));
    }

    record ManualSent(String commandId, String hostId, String decision, String action, String target, String newValue,
                      String operator, String reason, Instant decidedAt) {
    }

    /**
     * A command by hand: sent as an APPROVE decision of a new command id carrying the command, signed with the api's
     * key like any decision. The gate checks it against the rules catalog, takes the expected value from the host's
     * latest samples, signs it with the planner's key and verifies the change; what it refuses it dead-letters. The
     * api checks only what it can without the host's state, so that a typo gets its answer at once.
     */
    void manual(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        JsonNode body = jsonObject(ctx, "{\"action\": \"TXQUEUELEN\", \"target\": \"tun0\", \"value\": \"2000\","
                + " \"reason\": \"why\"}");
        String action = manualField(body, "action");
        String target = manualField(body, "target");
        String value = manualField(body, "value");
        String reason = reasonOf(body);
        read.hostKey(hostId).orElseThrow(() -> ApiProblem.notFound("no host '" + Params.printable(hostId)
                + "' has reported; GET /api/v1/hosts lists them"));
        ApiToken token = ctx.attribute(ApiServer.TOKEN_ATTRIBUTE);
        Instant now = clock.instant();
        String id = "manual-" + UUID.randomUUID();
        CommandDecision record = CommandDecision.newBuilder()
                .setCommandId(id)
                .setHostId(hostId)
                .setDecision(Decision.APPROVE)
                .setOperator(token.name())
                .setReason(reason)
                .setTimeMs(now.toEpochMilli())
                .setManual(ManualCommand.newBuilder().setAction(action).setTarget(target).setNewValue(value).build())
                .build();
        publish(record, "issuing commands by hand");
        LOG.info("{} issued {} by hand for {}: {} {} -> {}", token.name(), id, hostId, action, target, value);
        ctx.status(202).json(new ManualSent(id, hostId, "MANUAL", action, target, value, token.name(), reason, now));
    }

    private void publish(CommandDecision record, String what) {
        String id = record.getCommandId();
        try {
            decisions.publish(record);
        } catch (DecisionPublisher.DecisionsUnavailableException e) {
            throw ApiProblem.unavailable(what + " is not possible on this api: " + e.getMessage());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not send the decision on {}: {}", id, e.toString());
            throw ApiProblem.unavailable("the decision on command " + id + " could not be sent to Kafka (" + e
                    + "); nothing was decided, try again");
        }
    }

    private static String manualField(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw ApiProblem.badRequest("'" + name + "' is required: a string such as the action TXQUEUELEN, the"
                    + " target tun0 and the value 2000");
        }
        String text = node.asText().strip();
        if (text.length() > MAX_MANUAL_FIELD || text.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest("'" + name + "' must be at most " + MAX_MANUAL_FIELD
                    + " characters without control characters");
        }
        return text;
    }

    private String reason(Context ctx) {
        String body = ctx.body();
        if (body.isBlank()) {
            return null;
        }
        return reasonOf(jsonObject(ctx, "{\"reason\": \"why\"}, or empty"));
    }

    private JsonNode jsonObject(Context ctx, String example) {
        JsonNode node;
        try {
            node = json.readTree(ctx.body());
        } catch (Exception e) {
            throw ApiProblem.badRequest("the body must be JSON such as " + example);
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("the body must be a JSON object such as " + example);
        }
        return node;
    }

    private static String reasonOf(JsonNode node) {
        JsonNode reason = node.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual() || reason.asText().length() > MAX_REASON) {
            throw ApiProblem.badRequest("reason must be a string of at most " + MAX_REASON + " characters");
        }
        return reason.asText();
    }

    private static String commandId(Context ctx) {
        String id = ctx.pathParam("id");
        if (id.length() > 200 || id.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest("command id '" + Params.printable(id) + "' is too long or holds control"
                    + " characters");
        }
        return id;
    }

    private static ApiProblem unknownCommand(String id) {
        return ApiProblem.notFound("no command '" + Params.printable(id) + "' is known; GET /api/v1/commands lists them");
    }
}
