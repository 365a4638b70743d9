package io.tunnelvision.agent.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The root qdisc in the output of {@code tc -j qdisc show dev <if> root} (iproute2 6.1): a JSON array of one
 * object, {@code [{"kind":"pfifo","handle":"8001:","root":true,"refcnt":2,"options":{"limit":1000}}]}. A pure
 * parser.
 *
 * @param limit {@code options.limit} (pfifo's packets, bfifo's bytes), or -1 when the kind has none
 */
record RootQdisc(String kind, long limit) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws IllegalArgumentException naming what is missing */
    static RootQdisc parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray() || root.size() != 1) {
            throw new IllegalArgumentException("not a JSON array of one qdisc");
        }
        JsonNode q = root.get(0);
        if (!q.path("kind").isTextual() || q.get("kind").asText().isEmpty()) {
            throw new IllegalArgumentException("no kind");
        }
        JsonNode limit = q.path("options").path("limit");
        return new RootQdisc(q.get("kind").asText(), limit.canConvertToLong() ? limit.asLong() : -1);
    }

    /**
     * The limit the kernel gives a pfifo or bfifo made without options (sch_fifo.c, {@code fifo_init}): the
     * device's txqueuelen in packets, or txqueuelen times the MTU plus the link-layer header in bytes
     * ({@code psched_mtu}). -1 for the other kinds, which have no such limit.
     */
    static long defaultLimit(String kind, long txQueueLen, long mtu, long linkHeader) {
        return switch (kind) {
            case "pfifo" -> txQueueLen;
            case "bfifo" -> txQueueLen * (mtu + linkHeader);
            default -> -1;
        };
    }
}
