package io.tunnelvision.streams.state;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store's values kept decoded in memory, written through: {@link #put} writes the store (its cache, changelog
 * and RocksDB as before) and keeps the object, so the next {@link #get} of that key decodes nothing. Made anew in
 * each processor {@code init}, which Kafka Streams calls again whenever a task starts over from its changelog
 * (a fail-over, a rebalance, an aborted transaction), so it never outlives the store contents it mirrors.
 * A caller that mutates a value it got must {@link #put} it back or {@link #evict} it.
 */
public final class DecodedStore<V> {

    private final KeyValueStore<String, V> store;
    private final Map<String, V> values = new HashMap<>();

    public DecodedStore(KeyValueStore<String, V> store) {
        this.store = store;
    }

    public V get(String key) {
        V value = values.get(key);
        if (value == null && !values.containsKey(key)) {
            value = store.get(key);
            values.put(key, value);
        }
        return value;
    }

    public void put(String key, V value) {
        store.put(key, value);
        values.put(key, value);
    }

    public void delete(String key) {
        store.delete(key);
        values.put(key, null);
    }

    /** Drops the decoded copy of a key: the next get reads the store again. */
    public void evict(String key) {
        values.remove(key);
    }

    /** Drops every decoded copy. */
    public void evictAll() {
        values.clear();
    }
}
