package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.HostSighting;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.RowBatch;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.InterruptRates;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordRowsTest {

    private static final Instant T = Instant.parse("2026-03-10T12:00:00Z");

    @Test
    void aWireguardSampleBecomesARowPerPeerWithTheHandshakeAgeAtTheSampleTime() {
        RowBatch batch = new RowBatch("wireguard_peers", RecordRows.WIREGUARD_COLUMNS);
        var sample = TestRecords.wireguard("gw-1", T, 1,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer("A=", "192.0.2.1:51820", T.minusMillis(125_900), 10, 20),
                        TestRecords.wgPeer("B=", null, null, 0, 0)),
                TestRecords.wgInterface("wg1", TestRecords.wgPeer("C=", null, Instant.EPOCH, 0, 0),
                        TestRecords.wgPeer("D=", null, T.plusSeconds(3), 0, 0)));

        RecordRows.addWireguardRows(batch, sample, 4);

        List<String> c = batch.columns();
        assertEquals(4, batch.size());
        Object[] a = batch.rows().get(0);
        assertEquals(List.of(4, T, 2, T.minusMillis(125_900), 125, 10L, 20L, 25, "wg0", "A=", "192.0.2.1:51820"),
                Arrays.asList(a));
        assertNull(batch.rows().get(1)[c.indexOf("handshake_age_s")], "no handshake yet: no age");
        assertNull(batch.rows().get(1)[c.indexOf("latest_handshake")]);
        assertNull(batch.rows().get(2)[c.indexOf("latest_handshake")], "wg's 0 means never too");
        assertEquals(0, batch.rows().get(3)[c.indexOf("handshake_age_s")], "a handshake stamped after the sample");
        assertEquals(T, RecordRows.time(new Item(Source.WIREGUARD, sample)));
        assertEquals("wireguard_peers", RecordRows.partitionedTable(new Item(Source.WIREGUARD, sample)).name());
    }

    @Test
    void aWireguardSampleWithANegativeCounterOrABadKeyOrInterfaceIsRefusedWithTheReason() {
        var negative = TestRecords.wireguard("gw-1", T, 1,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer("A=", null, null, -5, 0)));
        var badKey = TestRecords.wireguard("gw-1", T, 1,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer("A\u0000=", null, null, 0, 0)));
        var noName = TestRecords.wireguard("gw-1", T, 1, TestRecords.wgInterface(""));

        assertEquals(true, assertThrows(InvalidRecordException.class,
                () -> RecordRows.validate(new Item(Source.WIREGUARD, negative))).getMessage().contains("negative"));
        assertEquals(true, assertThrows(InvalidRecordException.class,
                () -> RecordRows.validate(new Item(Source.WIREGUARD, badKey))).getMessage().contains("peer public key"));
        assertEquals(true, assertThrows(InvalidRecordException.class,
                () -> RecordRows.validate(new Item(Source.WIREGUARD, noName))).getMessage().contains("interface name"));
        RecordRows.validate(new Item(Source.WIREGUARD, TestRecords.wireguard("gw-1", T, 1,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer("A=", "[2001:db8::1]:51820", T, 0, 0)))));
    }

    @Test
    void perCpuValuesGoToTheirCpuIdAndGapsStayNull() {
        Float[] array = RecordRows.perCpu(List.of(0, 2, 5), List.of(1.0, 2.0, 5.0));

        assertArrayEquals(new Float[] {1f, null, 2f, null, null, 5f}, array);
    }

    @Test
    void hostTotalsAddUpAndAreNullWhenNothingWasReported() {
        assertEquals(6f, RecordRows.total(List.of(1.0, 2.0, 3.0)));
        assertNull(RecordRows.total(Arrays.asList(null, null)));
    }

    @Test
    void anInterruptRecordBecomesOneRowWithLinesAsAMatrix() {
        RowBatch batch = RowBatch.of(MetricFamily.INTERRUPTS, Tier.RAW);
        InterruptRates rates = TestRecords.interrupts("gw-1", T, 1, 2, 5);

        RecordRows.addInterruptRows(batch, rates, 7);

        Object[] row = batch.rows().get(0);
        List<String> columns = batch.columns();
        assertEquals(7, row[columns.indexOf("host_key")]);
        assertEquals(15f, row[columns.indexOf("net_tx")], "5 + 10 over both CPUs");
        assertArrayEquals(new String[] {"45:eth0-rx-0"}, (String[]) row[columns.indexOf("irq_lines")]);
        assertArrayEquals(new Float[][] {{50f, 0f}}, (Float[][]) row[columns.indexOf("irq_line_rates")]);
        assertArrayEquals(new Float[] {50f, 0f}, (Float[]) row[columns.indexOf("irq_lines_total")]);
    }

    @Test
    void aLinkRecordBecomesARowPerInterface() {
        RowBatch batch = RowBatch.of(MetricFamily.LINK, Tier.RAW);

        RecordRows.addLinkRows(batch, TestRecords.link("gw-1", T, 1, 10, "tun0", "eth0", "wg0"), 1);

        assertEquals(3, batch.size());
        assertEquals("wg0", batch.rows().get(2)[batch.columns().indexOf("iface")]);
        assertEquals(12f, batch.rows().get(2)[batch.columns().indexOf("rx_packets")]);
    }

    @Test
    void recordsThatCannotBeStoredAreRefusedWithTheReason() {
        InvalidRecordException emptyHost = assertThrows(InvalidRecordException.class, () -> RecordRows.validate(
                new Item(Source.LINK_RATES, TestRecords.link("", T, 1, 1, "tun0"))));
        var softnet = TestRecords.softnet("gw-1", T, 1, 1, 1);
        softnet.getCpus().get(0).setCpu(100_000);
        InvalidRecordException hugeCpu = assertThrows(InvalidRecordException.class, () -> RecordRows.validate(
                new Item(Source.SOFTNET_RATES, softnet)));

        assertEquals("host id '' is empty, longer than 253 characters or holds control characters",
                emptyHost.getMessage());
        assertEquals("CPU id 100000 is outside 0..8191", hugeCpu.getMessage());
    }

    @Test
    void theLatestSightingOfAHostWinsAndKeepsAKnownAgentVersion() {
        HostSighting rate = new HostSighting("gw-1", "b", 9, T.plusSeconds(1), null);
        HostSighting sample = new HostSighting("gw-1", "b", 8, T, "0.2.0");

        HostSighting latest = rate.latest(sample);

        assertEquals(9, latest.sequence());
        assertEquals("0.2.0", latest.agentVersion());
        assertEquals(latest, sample.latest(rate), "order does not matter");
    }
}
