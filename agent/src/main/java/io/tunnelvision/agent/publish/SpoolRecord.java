package io.tunnelvision.agent.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A record as it waits in the spool: already serialized, so the spool never needs a schema. Headers are for the
 * few records that need them (dead letters say where they came from); samples carry none.
 */
public record SpoolRecord(String topic, byte[] key, byte[] value, Map<String, String> headers) {

    public SpoolRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        headers = Map.copyOf(headers);
    }

    public SpoolRecord(String topic, byte[] key, byte[] value) {
        this(topic, key, value, Map.of());
    }

    /** Topic, key, value, then the headers; a record written before headers existed simply ends after its value. */
    byte[] toBytes() {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int size = 2 + t.length + 4 + key.length + 4 + value.length;
        List<byte[]> encoded = new ArrayList<>();
        for (Map.Entry<String, String> h : new TreeMap<>(headers).entrySet()) {
            encoded.add(h.getKey().getBytes(StandardCharsets.UTF_8));
            encoded.add(h.getValue().getBytes(StandardCharsets.UTF_8));
        }
        if (!headers.isEmpty()) {
            size += 2 + encoded.stream().mapToInt(e -> 4 + e.length).sum();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) t.length).put(t).putInt(key.length).put(key).putInt(value.length).put(value);
        if (!headers.isEmpty()) {
            b.putShort((short) headers.size());
            encoded.forEach(e -> b.putInt(e.length).put(e));
        }
        return b.array();
    }

    static SpoolRecord fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] t = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(t);
        byte[] k = new byte[b.getInt()];
        b.get(k);
        byte[] v = new byte[b.getInt()];
        b.get(v);
        Map<String, String> headers = new TreeMap<>();
        if (b.hasRemaining()) {
            int count = Short.toUnsignedInt(b.getShort());
            for (int i = 0; i < count; i++) {
                headers.put(string(b), string(b));
            }
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes in spool record");
        }
        return new SpoolRecord(new String(t, StandardCharsets.UTF_8), k, v, headers);
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpoolRecord r && topic.equals(r.topic) && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "SpoolRecord[" + topic + ", key " + key.length + " B, value " + value.length + " B]";
    }
}
