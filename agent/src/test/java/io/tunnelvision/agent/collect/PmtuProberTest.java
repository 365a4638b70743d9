package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PmtuProberTest {

    @Test
    void pingsSummaryGivesTheEchoesThatCameBack() throws Exception {
        assertEquals(2, PmtuProber.received(Fixtures.text("layouts/pmtu/ping-passed.txt")));
        assertEquals(0, PmtuProber.received(Fixtures.text("layouts/pmtu/ping-failed.txt")));
        assertEquals(0, PmtuProber.received(null));
        assertEquals(0, PmtuProber.received("ping: sendmsg: Message too long\n"));
    }

    @Test
    void thePayloadLeavesRoomForTheHeadersOfEachFamily() throws Exception {
        assertEquals("1392", PmtuProber.ping(InetAddress.getByName("10.0.0.2"), 1420).get(15));
        assertEquals("1372", PmtuProber.ping(InetAddress.getByName("fd00::2"), 1420).get(15));
        assertEquals("-6", PmtuProber.ping(InetAddress.getByName("fd00::2"), 1420).get(3));
        assertEquals(576, PmtuProber.floor(InetAddress.getByName("10.0.0.2"), 1420));
        assertEquals(1280, PmtuProber.floor(InetAddress.getByName("fd00::2"), 1420));
        assertEquals(1000, PmtuProber.floor(InetAddress.getByName("fd00::2"), 1000), "never above the tunnel's MTU");
    }
}
