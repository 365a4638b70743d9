package io.tunnelvision.schemas.codec;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Finds a writer's schema by the 64-bit fingerprint that single-object encoding puts in front of every payload.
 * Holds every version in {@link SchemaHistory}, so old and new agents coexist without a schema registry.
 */
public final class VersionedSchemaStore implements SchemaStore {

    private final Map<Long, Schema> byFingerprint;

    private VersionedSchemaStore(Map<Long, Schema> byFingerprint) {
        this.byFingerprint = Map.copyOf(byFingerprint);
    }

    /** Every version of every record in {@link AvroRecords}, plus the schemas compiled into this build. */
    public static VersionedSchemaStore fromHistory() {
        return of(AvroRecords.all().stream()
                .flatMap(type -> {
                    List<Schema> versions = new java.util.ArrayList<>(SchemaHistory.versionsOf(type.getSimpleName()));
                    versions.add(AvroRecords.schemaOf(type));
                    return versions.stream();
                })
                .toList());
    }

    public static VersionedSchemaStore of(Collection<Schema> schemas) {
        Map<Long, Schema> map = new HashMap<>();
        for (Schema schema : schemas) {
            map.put(fingerprint(schema), schema);
        }
        return new VersionedSchemaStore(map);
    }

    /** A copy that also knows {@code more}; used by tests that play a newer writer. */
    public VersionedSchemaStore with(Schema... more) {
        Map<Long, Schema> map = new HashMap<>(byFingerprint);
        for (Schema schema : more) {
            map.put(fingerprint(schema), schema);
        }
        return new VersionedSchemaStore(map);
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    public int size() {
        return byFingerprint.size();
    }
}
