package io.tunnelvision.streams.state;

import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.codec.AvroLimits;
import io.tunnelvision.schemas.codec.AvroSerde;
import io.tunnelvision.streams.avro.FleetTypeState;
import io.tunnelvision.streams.avro.GateState;
import io.tunnelvision.streams.avro.HostMetrics;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.Track;
import java.util.List;
import java.util.Set;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Serdes of the app's own Avro records (state and internal topics), in the same single-object encoding as the
 * public contract. They are only ever read by this app; the schema store holds the current version of each, so
 * a change to one of them that is not backward compatible needs a new application id (fresh state).
 */
public final class InternalSerdes {

    static final Set<String> INTERNAL_PACKAGES = Set.of("io.tunnelvision.streams.avro", "io.tunnelvision.rules.avro");
    private static final List<Class<? extends SpecificRecord>> ALL =
            List.of(HostState.class, Track.class, HostMetrics.class, FleetTypeState.class, GateState.class);
    private static final SchemaStore STORE = store();

    private InternalSerdes() {
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(AvroCodec.of(type, STORE));
    }

    static List<Class<? extends SpecificRecord>> all() {
        return ALL;
    }

    private static SchemaStore store() {
        AvroLimits.install();
        // Avro 1.12 instantiates only trusted generated classes; the schemas module trusts its own package.
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                type -> INTERNAL_PACKAGES.contains(type.getPackageName())));
        SchemaStore.Cache cache = new SchemaStore.Cache();
        for (Class<? extends SpecificRecord> type : ALL) {
            cache.addSchema(SpecificData.get().getSchema(type));
        }
        return cache;
    }
}
