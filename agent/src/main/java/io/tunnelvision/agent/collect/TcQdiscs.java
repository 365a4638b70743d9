package io.tunnelvision.agent.collect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.schemas.avro.Qdisc;
import java.util.ArrayList;
import java.util.List;

/**
 * The qdiscs in the output of {@code tc -s -j qdisc show} (iproute2 6.1): a JSON array with one object per qdisc,
 * root and children alike: {@code dev}, {@code kind}, {@code handle}, {@code root: true} on a root or
 * {@code parent} (a class id such as {@code 1:10}, {@code ffff:fff1} for ingress and clsact), and the statistics
 * {@code bytes packets drops overlimits requeues backlog qlen} ({@code backlog} in bytes, {@code qlen} in
 * packets). Ingress and clsact are not egress queues and are left out. An object without one of these fields is
 * skipped and counted; output that is not a JSON array is one malformed entry. A pure parser.
 */
public final class TcQdiscs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COUNTERS = List.of("bytes", "packets", "drops", "overlimits", "requeues",
            "backlog", "qlen");

    private TcQdiscs() {
    }

    /** @param malformed what was skipped and why */
    public record Parsed(List<Qdisc> qdiscs, List<String> malformed) {
    }

    public static Parsed parse(String text) {
        List<Qdisc> qdiscs = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        JsonNode root;
        try {
            root = JSON.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            malformed.add("not JSON: " + e.getOriginalMessage());
            return new Parsed(qdiscs, malformed);
        }
        if (root == null || !root.isArray()) {
            malformed.add("not a JSON array");
            return new Parsed(qdiscs, malformed);
        }
        for (JsonNode q : root) {
            String why = problem(q);
            if (why != null) {
                malformed.add(why + ": " + q);
                continue;
            }
            String kind = q.get("kind").asText();
            if (kind.equals("ingress") || kind.equals("clsact")) {
                continue;
            }
            boolean isRoot = q.path("root").asBoolean(false);
            qdiscs.add(new Qdisc(q.get("dev").asText(), kind, q.get("handle").asText(),
                    isRoot ? null : q.get("parent").asText(), q.get("bytes").asLong(), q.get("packets").asLong(),
                    q.get("drops").asLong(), q.get("overlimits").asLong(), q.get("requeues").asLong(),
                    q.get("backlog").asLong(), q.get("qlen").asLong()));
        }
        return new Parsed(qdiscs, malformed);
    }

    private static String problem(JsonNode q) {
        if (!q.isObject()) {
            return "not an object";
        }
        for (String text : List.of("dev", "kind", "handle")) {
            if (!q.path(text).isTextual() || q.get(text).asText().isEmpty()) {
                return "no " + text;
            }
        }
        if (!q.path("root").asBoolean(false) && !q.path("parent").isTextual()) {
            return "neither root nor a parent";
        }
        for (String counter : COUNTERS) {
            if (!q.path(counter).canConvertToLong() || q.get(counter).asLong() < 0) {
                return "no " + counter;
            }
        }
        return null;
    }
}
