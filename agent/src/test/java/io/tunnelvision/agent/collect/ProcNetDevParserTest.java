package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.LinkCounters;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProcNetDevParserTest {

    @Test
    void longNamesAtTheLeftMarginAndNumbersGluedToTheColonAreRead() {
        LinkParse parse = ProcNetDevParser.parse(Fixtures.text("layouts/netdev/long-names.txt"));

        assertEquals(List.of("lo", "eth0", "vxlan100", "wg-frankfurt-01", "enp3s0f0"),
                parse.interfaces().stream().map(LinkCounters::getName).collect(Collectors.toList()));
        LinkCounters glued = parse.interfaces().get(4);
        assertEquals(1_234_567_890L, glued.getRxBytes());
        assertEquals(9_876_543L, glued.getRxPackets());
        assertEquals(544L, parse.interfaces().get(2).getTxBytes());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void columnsMapToTheCountersTheKernelFoldedIntoThem() {
        LinkCounters eth0 = ProcNetDevParser.parse(Fixtures.text("layouts/netdev/long-names.txt")).interfaces().get(1);

        assertEquals(244_954_496L, eth0.getRxBytes());
        assertEquals(6336L, eth0.getRxPackets());
        assertEquals(1L, eth0.getRxErrors());
        assertEquals(2L, eth0.getRxDropped());
        assertEquals(3L, eth0.getRxFifoErrors());
        assertEquals(0L, eth0.getRxOverErrors(), "no separate overrun column: folded into frame");
        assertEquals(4L, eth0.getRxFrameErrors());
        assertEquals(561_401L, eth0.getTxBytes());
        assertEquals(5101L, eth0.getTxPackets());
        assertEquals(7L, eth0.getTxErrors());
        assertEquals(8L, eth0.getTxDropped());
        assertEquals(9L, eth0.getTxFifoErrors());
        assertEquals(11L, eth0.getTxCarrierErrors());
    }

    @Test
    void cutAndNonNumericLinesAreMalformedAndExtraColumnsIgnored() {
        LinkParse parse = ProcNetDevParser.parse(Fixtures.text("layouts/netdev/broken.txt"));

        // eth0 cut short, eth1 "three", the line without colon, the empty name
        assertEquals(4, parse.malformedLines());
        assertEquals(List.of("lo", "tun0"),
                parse.interfaces().stream().map(LinkCounters::getName).collect(Collectors.toList()));
        assertEquals(20L, parse.interfaces().get(1).getTxBytes());
    }

    @Test
    void realFilesOfThisMachineAndANamespaceAreRead() {
        LinkParse host = ProcNetDevParser.parse(Fixtures.text("live-host/proc/net/dev"));
        LinkParse netns = ProcNetDevParser.parse(Fixtures.text("live-netns/proc/net/dev"));

        assertEquals(List.of("lo", "ifb0", "ifb1", "eth0"),
                host.interfaces().stream().map(LinkCounters::getName).collect(Collectors.toList()));
        assertEquals(244_954_496L, host.interfaces().get(3).getRxBytes());
        assertEquals(List.of("lo", "tun0", "tap0", "veth1", "veth0", "vxlan0", "br0"),
                netns.interfaces().stream().map(LinkCounters::getName).collect(Collectors.toList()));
        assertEquals(544L, netns.interfaces().get(5).getTxBytes());
    }
}
