package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local record of every command this agent received and what it did with it: one JSON object per line in
 * {@code audit.log} in the state directory, appended and fsynced before the result is published; {@code
 * delivery} says whether the command was new, resumed after a restart, or a repeat answered with its first result.
 * It is what an operator reads on the gateway when the fleet's Kafka is away or in doubt; the agent never rewrites
 * it (rotate it with logrotate's copytruncate).
 */
public final class AuditLog {

    private final Path file;

    public AuditLog(Path stateDir) {
        this.file = stateDir.resolve("audit.log");
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + stateDir, e);
        }
    }

    public Path file() {
        return file;
    }

    synchronized void append(TuningCommand command, CommandResult result, Delivery delivery) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", Instant.ofEpochMilli(result.getTimeMs()).toString());
        fields.put("commandId", command.getCommandId());
        fields.put("sequence", command.getSequence());
        fields.put("hostId", command.getHostId());
        fields.put("keyId", command.getKeyId());
        fields.put("action", String.valueOf(command.getAction()));
        fields.put("target", command.getTarget());
        fields.put("newValue", command.getNewValue());
        fields.put("expectedValue", command.getExpectedValue());
        fields.put("dryRun", command.getDryRun());
        fields.put("rollbackOf", command.getRollbackOf());
        fields.put("hotspotId", command.getHotspotId());
        fields.put("reason", command.getReason());
        fields.put("status", String.valueOf(result.getStatus()));
        fields.put("outcome", result.getReason());
        fields.put("valueBefore", result.getValueBefore());
        fields.put("valueAfter", result.getValueAfter());
        fields.put("delivery", delivery.label());
        try {
            StateFiles.append(file, json(fields));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file, e);
        }
    }

    static String json(Map<String, Object> fields) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, e.getKey());
            out.append(':');
            Object v = e.getValue();
            if (v == null) {
                out.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                out.append(v);
            } else {
                string(out, v.toString());
            }
        }
        return out.append('}').toString();
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
