package io.tunnelvision.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.ExampleRecords;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Old and new agents on one topic: a v2 of LinkSample (two added fields with defaults) and of InterfaceConfigSample
 * (a new interface kind, a new field) play the newer side against the records compiled into this build; the
 * published v1 of InterruptSample (IrqLine without the IRQ's placement) plays the older side.
 */
class SchemaEvolutionTest {

    private static final Schema LINK_V2 = load("LinkSample.v2.avsc");
    private static final Schema IFCONFIG_V2 = load("InterfaceConfigSample.v2.avsc");

    @Test
    void v2TestSchemasAreRealEvolutionsOfTheCurrentOnes() {
        SchemaHistoryTest.assertMutuallyCompatible("LinkSample v1/v2", LinkSample.getClassSchema(), LINK_V2);
        SchemaHistoryTest.assertMutuallyCompatible("InterfaceConfigSample v1/v2",
                InterfaceConfigSample.getClassSchema(), IFCONFIG_V2);
    }

    @Test
    void aV2ReaderReadsWhatAV1AgentWroteAndFillsDefaults() throws IOException {
        LinkSample written = ExampleRecords.link("gw-old");
        byte[] payload = AvroCodec.of(LinkSample.class).encode(written);

        VersionedSchemaStore store = VersionedSchemaStore.fromHistory().with(LINK_V2);
        BinaryMessageDecoder<GenericRecord> v2Reader = new BinaryMessageDecoder<>(GenericData.get(), LINK_V2, store);
        GenericRecord read = v2Reader.decode(ByteBuffer.wrap(payload), null);

        GenericRecord iface = (GenericRecord) ((List<?>) read.get("interfaces")).get(0);
        LinkCounters original = written.getInterfaces().get(0);
        assertEquals(original.getName(), iface.get("name").toString());
        assertEquals(original.getTxDropped(), iface.get("txDropped"));
        assertEquals(0L, iface.get("rxMissedErrors"));
        assertNull(read.get("collector"));
    }

    @Test
    void aV1ReaderReadsWhatAV2AgentWroteAndIgnoresTheNewFields() {
        GenericRecord v2 = linkV2("gw-new", 77L);
        byte[] payload = encodeGeneric(LINK_V2, v2);

        VersionedSchemaStore store = VersionedSchemaStore.fromHistory().with(LINK_V2);
        LinkSample read = AvroCodec.of(LinkSample.class, store).decode(payload);

        assertEquals("gw-new", read.getHeader().getHostId());
        assertEquals(17L, read.getInterfaces().get(0).getTxDropped());
        assertEquals(1, read.getInterfaces().size());
    }

    @Test
    void aV1ReaderThatHasNeverSeenTheV2SchemaSaysSo() {
        byte[] payload = encodeGeneric(LINK_V2, linkV2("gw-new", 1L));

        PayloadDecodeException e = assertThrows(PayloadDecodeException.class,
                () -> AvroCodec.of(LinkSample.class).decode(payload));
        assertTrue(e.getMessage().contains("unknown writer schema fingerprint"), e.getMessage());
    }

    @Test
    void anInterfaceKindAV1ReaderDoesNotKnowIsReadAsOther() {
        Schema headerSchema = IFCONFIG_V2.getField("header").schema();
        Schema ifSchema = IFCONFIG_V2.getField("interfaces").schema().getElementType();
        Schema queueSchema = ifSchema.getField("rxQueues").schema().getElementType();
        GenericRecord iface = new GenericRecordBuilder(ifSchema)
                .set("name", "gnv0").set("ifindex", 9)
                .set("kind", new GenericData.EnumSymbol(ifSchema.getField("kind").schema(), "GENEVE"))
                .set("mtu", 1450).set("txQueueLen", 1000).set("operState", "up")
                .set("rxQueues", List.of(new GenericRecordBuilder(queueSchema).set("queue", "rx-0").build()))
                .set("qdisc", "fq_codel")
                .build();
        GenericRecord sample = new GenericRecordBuilder(IFCONFIG_V2)
                .set("header", header(headerSchema, "gw-new"))
                .set("interfaces", List.of(iface))
                .build();

        InterfaceConfigSample read = AvroCodec.of(InterfaceConfigSample.class,
                VersionedSchemaStore.fromHistory().with(IFCONFIG_V2)).decode(encodeGeneric(IFCONFIG_V2, sample));

        assertEquals(InterfaceKind.OTHER, read.getInterfaces().get(0).getKind());
        assertEquals(1450, read.getInterfaces().get(0).getMtu());
    }

    @Test
    void anAgentBeforeIrqPlacementIsReadWithEveryPlacementFieldNull() {
        Schema v1 = SchemaHistory.versionsOf("InterruptSample").get(0);
        Schema lineSchema = v1.getField("lines").schema().getElementType();
        GenericRecord line = new GenericRecordBuilder(lineSchema).set("irq", "45").set("chip", "IR-PCI-MSI")
                .set("hwirq", null).set("trigger", "edge").set("devices", List.of("eth0-TxRx-0"))
                .set("counts", List.of(7L, 8L)).build();
        GenericRecord old = new GenericRecordBuilder(v1)
                .set("header", header(v1.getField("header").schema(), "gw-old"))
                .set("onlineCpus", List.of(0, 1)).set("lines", List.of(line))
                .set("otherTotals", List.of(1L, 2L)).set("netRxSoftirqs", List.of()).set("netTxSoftirqs", List.of())
                .set("softirqTicks", List.of()).set("totalTicks", List.of())
                .build();

        InterruptSample read = AvroCodec.of(InterruptSample.class).decode(encodeGeneric(v1, old));

        IrqLine irq = read.getLines().get(0);
        assertEquals("45", irq.getIrq());
        assertEquals(List.of(7L, 8L), irq.getCounts());
        assertNull(irq.getAffinity());
        assertNull(irq.getEffectiveAffinity());
        assertNull(irq.getBusId());
        assertNull(irq.getNetdev());
        assertNull(irq.getNumaNode());
        assertNull(irq.getLocalCpus());
    }

    @Test
    void aReaderBeforeIrqPlacementReadsANewAgentsSampleAndSkipsThePlacement() throws IOException {
        InterruptSample written = ExampleRecords.interrupts("gw-new");
        assertEquals("0-3", written.getLines().get(0).getAffinity(), "the example carries a placement");
        byte[] payload = AvroCodec.of(InterruptSample.class).encode(written);
        Schema v1 = SchemaHistory.versionsOf("InterruptSample").get(0);

        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1,
                VersionedSchemaStore.fromHistory()).decode(ByteBuffer.wrap(payload), null);

        GenericRecord irq = (GenericRecord) ((List<?>) read.get("lines")).get(0);
        assertEquals("45", irq.get("irq").toString());
        assertEquals(written.getLines().get(0).getCounts(), irq.get("counts"));
        assertNull(irq.getSchema().getField("affinity"));
        GenericRecord second = (GenericRecord) ((List<?>) read.get("lines")).get(1);
        assertEquals("46", second.get("irq").toString());
        assertEquals(written.getTotalTicks(), read.get("totalTicks"));
    }

    private static GenericRecord linkV2(String host, long seq) {
        Schema headerSchema = LINK_V2.getField("header").schema();
        Schema counters = LINK_V2.getField("interfaces").schema().getElementType();
        GenericRecordBuilder c = new GenericRecordBuilder(counters).set("name", "wg0");
        for (Schema.Field f : counters.getFields()) {
            if (f.schema().getType() == Schema.Type.LONG) {
                c.set(f.name(), 0L);
            }
        }
        c.set("txDropped", 17L).set("rxMissedErrors", 5L);
        return new GenericRecordBuilder(LINK_V2)
                .set("header", header(headerSchema, host, seq))
                .set("interfaces", List.of(c.build()))
                .set("collector", "sysfs")
                .build();
    }

    private static GenericRecord header(Schema schema, String host) {
        return header(schema, host, 1L);
    }

    private static GenericRecord header(Schema schema, String host, long sequence) {
        return new GenericRecordBuilder(schema).set("hostId", host).set("bootId", "b1").set("sequence", sequence)
                .set("sampleTimeMs", ExampleRecords.T0).set("agentVersion", "0.2.0").build();
    }

    private static byte[] encodeGeneric(Schema schema, GenericRecord record) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Schema load(String name) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/evolution/" + name)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
