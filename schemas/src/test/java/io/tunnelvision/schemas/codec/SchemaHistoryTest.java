package io.tunnelvision.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Guards the rule that lets old and new agents share a topic: every change to an .avsc is a new version in the
 * history, and each version can read the previous one and be read by it.
 */
class SchemaHistoryTest {

    @Test
    void latestHistoryVersionIsTheSchemaCompiledIntoThisBuild() {
        for (Class<? extends SpecificRecord> type : AvroRecords.all()) {
            List<Schema> versions = SchemaHistory.versionsOf(type.getSimpleName());
            assertFalse(versions.isEmpty(), "no history for " + type.getSimpleName());
            Schema compiled = AvroRecords.schemaOf(type);
            Schema latest = versions.get(versions.size() - 1);
            assertEquals(VersionedSchemaStore.fingerprint(compiled), VersionedSchemaStore.fingerprint(latest),
                    () -> type.getSimpleName() + " changed: add it as "
                            + SchemaHistory.resourcePath(type.getSimpleName(), versions.size() + 1)
                            + " under schemas/src/main/resources with this content:\n"
                            + org.apache.avro.SchemaFormatter.format("json/pretty", compiled));
        }
    }

    @Test
    void consecutiveVersionsCanReadEachOther() {
        for (Class<? extends SpecificRecord> type : AvroRecords.all()) {
            List<Schema> versions = SchemaHistory.versionsOf(type.getSimpleName());
            for (int i = 1; i < versions.size(); i++) {
                assertMutuallyCompatible(type.getSimpleName() + " v" + i + "/v" + (i + 1),
                        versions.get(i - 1), versions.get(i));
            }
        }
    }

    @Test
    void theDefaultStoreKnowsEveryVersion() {
        VersionedSchemaStore store = VersionedSchemaStore.fromHistory();
        for (Class<? extends SpecificRecord> type : AvroRecords.all()) {
            for (Schema version : SchemaHistory.versionsOf(type.getSimpleName())) {
                assertEquals(version, store.findByFingerprint(VersionedSchemaStore.fingerprint(version)));
            }
        }
    }

    static void assertMutuallyCompatible(String what, Schema older, Schema newer) {
        SchemaCompatibilityType forward = SchemaCompatibility.checkReaderWriterCompatibility(older, newer).getType();
        SchemaCompatibilityType backward = SchemaCompatibility.checkReaderWriterCompatibility(newer, older).getType();
        assertTrue(forward == SchemaCompatibilityType.COMPATIBLE, what + ": the older cannot read the newer");
        assertTrue(backward == SchemaCompatibilityType.COMPATIBLE, what + ": the newer cannot read the older");
    }
}
