package io.tunnelvision.schemas.codec;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** The top-level records that travel on topics; nested records travel inside them. */
public final class AvroRecords {

    private static final List<Class<? extends SpecificRecord>> ALL = List.of(
            InterruptSample.class,
            SoftnetSample.class,
            LinkSample.class,
            InterfaceConfigSample.class,
            KernelSettingsSample.class,
            LatencySample.class,
            Hotspot.class,
            TuningCommand.class,
            CommandResult.class,
            CommandDecision.class,
            CommandOutcome.class,
            InterruptRates.class,
            SoftnetRates.class,
            LinkRates.class,
            KernelRates.class,
            // at the end, in the order they were added: the fuzz target picks a type by index, so its saved inputs keep
            // their types
            WireguardSample.class,
            PmtuSample.class,
            QdiscSample.class,
            NicSample.class);

    private AvroRecords() {
    }

    public static List<Class<? extends SpecificRecord>> all() {
        return ALL;
    }

    public static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type);
    }
}
