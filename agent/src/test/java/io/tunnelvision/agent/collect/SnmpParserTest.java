package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SnmpParserTest {

    @Test
    void countersAreFoundByGroupAndName() {
        SnmpCounters counters = SnmpParser.parse(Fixtures.text("layouts/snmp/linux-6.18.txt"));

        assertEquals(39L, counters.get("Udp", "InDatagrams"));
        assertEquals(0L, counters.get("Udp", "RcvbufErrors"));
        assertEquals(9523L, counters.get("Ip", "OutTransmits"));
        assertEquals(-1L, counters.get("Tcp", "MaxConn"));
        assertEquals(1L, counters.get("IcmpMsg", "InType3"));
        assertEquals(0, counters.malformedLines());
    }

    @Test
    void countersThisKernelLacksAreNull() {
        SnmpCounters counters = SnmpParser.parse(Fixtures.text("layouts/snmp/old-2.6.9.txt"));

        assertEquals(5L, counters.get("Udp", "InErrors"));
        assertNull(counters.get("Udp", "RcvbufErrors"));
        assertNull(counters.get("Udp", "SndbufErrors"));
        assertEquals(12L, counters.get("Ip", "ReasmReqds"));
        assertEquals(8L, counters.get("Ip", "FragCreates"));
        assertNull(counters.get("Ip", "OutTransmits"));
    }

    @Test
    void mismatchedOrNonNumericPairsAreMalformedAndOtherGroupsKept() {
        SnmpCounters counters = SnmpParser.parse(Fixtures.text("layouts/snmp/broken.txt"));

        // Ip (15 values for 20 names), Tcp ("many"), the line without group, UdpLite (names without values)
        assertEquals(4, counters.malformedLines());
        assertNull(counters.get("Ip", "InReceives"));
        assertNull(counters.get("Tcp", "RtoMin"));
        assertEquals(17L, counters.get("Udp", "RcvbufErrors"));
        assertEquals(3L, counters.get("Udp", "SndbufErrors"));
    }

    @Test
    void valuesWithoutNamesAreMalformed() {
        SnmpCounters counters = SnmpParser.parse("Udp: 1 2 3\n");

        assertEquals(1, counters.malformedLines());
        assertNull(counters.get("Udp", "InDatagrams"));
    }
}
