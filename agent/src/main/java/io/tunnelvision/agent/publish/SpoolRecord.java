package io.tunnelvision.agent.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A record as it waits in the spool: already serialized, so the spool never needs a schema. */
public record SpoolRecord(String topic, byte[] key, byte[] value) {

    public SpoolRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    byte[] toBytes() {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + t.length + 4 + key.length + 4 + value.length);
        b.putShort((short) t.length).put(t).putInt(key.length).put(key).putInt(value.length).put(value);
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
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes in spool record");
        }
        return new SpoolRecord(new String(t, StandardCharsets.UTF_8), k, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpoolRecord r && topic.equals(r.topic) && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "SpoolRecord[" + topic + ", key " + key.length + " B, value " + value.length + " B]";
    }
}
