package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ProbePacketTest {

    @Test
    void aRequestCarriesItsIdAndTimeAndIsPaddedToTheProbeSize() {
        ByteBuffer packet = ProbePacket.request(ByteBuffer.allocate(2000), 1472, 42L, 123_456_789L);

        assertEquals(1472, packet.remaining());
        ProbePacket.Header header = ProbePacket.parse(packet, ProbePacket.REQUEST).orElseThrow();
        assertEquals(42L, header.id());
        assertEquals(123_456_789L, header.sentNanos());
        assertEquals(0, packet.position(), "parsing must not move the buffer");
    }

    @Test
    void aReplyIsTheSameBytesWithTheKindTurned() {
        ByteBuffer packet = ProbePacket.request(ByteBuffer.allocate(64), 64, -7L, 1L);
        ByteBuffer original = ByteBuffer.allocate(64).put(packet.duplicate()).flip();

        ProbePacket.toReply(packet);

        assertTrue(ProbePacket.parse(packet, ProbePacket.REQUEST).isEmpty(), "a reply is not a request");
        assertEquals(-7L, ProbePacket.parse(packet, ProbePacket.REPLY).orElseThrow().id());
        assertEquals(original.remaining(), packet.remaining());
        int differing = 0;
        for (int i = 0; i < 64; i++) {
            differing += original.get(i) != packet.get(i) ? 1 : 0;
        }
        assertEquals(1, differing, "only the kind byte changes");
    }

    @Test
    void anythingElseIsNotAProbe() {
        assertTrue(ProbePacket.parse(ByteBuffer.wrap(new byte[23]), ProbePacket.REQUEST).isEmpty(), "too short");
        assertTrue(ProbePacket.parse(ByteBuffer.wrap(new byte[100]), ProbePacket.REQUEST).isEmpty(), "no magic");
        ByteBuffer wrongVersion = ProbePacket.request(ByteBuffer.allocate(24), 24, 1, 1);
        wrongVersion.put(4, (byte) 9);
        assertTrue(ProbePacket.parse(wrongVersion, ProbePacket.REQUEST).isEmpty(), "unknown version");
        ByteBuffer reserved = ProbePacket.request(ByteBuffer.allocate(24), 24, 1, 1);
        reserved.put(7, (byte) 1);
        assertTrue(ProbePacket.parse(reserved, ProbePacket.REQUEST).isEmpty(), "reserved bits set");
        ByteBuffer huge = ByteBuffer.allocate(ProbePacket.MAX_BYTES + 1);
        ProbePacket.request(huge, ProbePacket.MAX_BYTES, 1, 1);
        huge.limit(ProbePacket.MAX_BYTES + 1);
        assertTrue(ProbePacket.parse(huge, ProbePacket.REQUEST).isEmpty(), "larger than any probe");
    }

    @Test
    void sizesOutsideTheFormatAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProbePacket.request(ByteBuffer.allocate(64), 23, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ProbePacket.request(ByteBuffer.allocate(64), 65, 1, 1));
    }
}
