package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WgDumpTest {

    /** The fixtures' fixed test keys (see the fixtures' README). */
    static final String A_PRIVATE = "dGVzdC1pZmFjZS1hLXByaXZhdGUuLi4uLi4uLi4uLi4=";
    static final String A_PUBLIC = "dGVzdC1pZmFjZS1hLXB1YmxpYy4uLi4uLi4uLi4uLi4=";
    static final String B_PRIVATE = "dGVzdC1pZmFjZS1iLXByaXZhdGUuLi4uLi4uLi4uLi4=";
    static final String B_PUBLIC = "dGVzdC1pZmFjZS1iLXB1YmxpYy4uLi4uLi4uLi4uLi4=";
    static final String C_PUBLIC = "dGVzdC1wZWVyLWMtcHVibGljLi4uLi4uLi4uLi4uLi4=";
    static final String PRESHARED = "dGVzdC1wcmVzaGFyZWQtYWIuLi4uLi4uLi4uLi4uLi4=";
    private static final List<String> SECRETS = List.of(A_PRIVATE, B_PRIVATE, PRESHARED);

    @Test
    void twoRealInterfacesAfterAHandshakeKeepEveryPeerField() {
        // wireguard-go 0.0.20220316 and wg 1.0.20210914, after a handshake: wgdump-a has a peer with a preshared
        // key, two allowed IPs and keepalive 25, and one never configured with an endpoint; the peers come in
        // wireguard-go's order, not the order they were added
        WgDump.Parsed parsed = WgDump.parse(Fixtures.text("layouts/wg/dump-after-handshake.txt"));

        assertEquals(List.of(), parsed.malformed());
        assertEquals(List.of("wgdump-a", "wgdump-b"), parsed.interfaces().stream().map(i -> i.getName()).toList());
        WireguardInterface a = parsed.interfaces().get(0);
        assertEquals(A_PUBLIC, a.getPublicKey());
        assertEquals(51820, a.getListenPort());
        assertEquals(List.of(new WireguardPeer(C_PUBLIC, null, 1, null, 0L, 0L, null),
                new WireguardPeer(B_PUBLIC, "10.231.0.2:51820", 2, 1_796_525_343_000L, 572L, 728L, 25)), a.getPeers());
        WireguardInterface b = parsed.interfaces().get(1);
        assertEquals(B_PUBLIC, b.getPublicKey());
        assertEquals(List.of(new WireguardPeer(A_PUBLIC, "10.231.0.1:51820", 1, 1_796_525_343_000L, 580L, 572L,
                null)), b.getPeers());
    }

    @Test
    void beforeAnyHandshakeTheHandshakeIsNullAndAnIpv6EndpointIsKeptAsPrinted() {
        WgDump.Parsed parsed = WgDump.parse(Fixtures.text("layouts/wg/dump-before-handshake.txt"));

        assertEquals(List.of(), parsed.malformed());
        WireguardPeer toB = parsed.interfaces().get(0).getPeers().get(0);
        assertEquals(B_PUBLIC, toB.getPublicKey());
        assertNull(toB.getLatestHandshakeMs(), "0 is never");
        assertEquals(0L, toB.getRxBytes());
        assertEquals(148L, toB.getTxBytes(), "handshake initiations sent, none answered yet");
        assertEquals(25, toB.getPersistentKeepaliveS());
        WireguardPeer toA = parsed.interfaces().get(1).getPeers().get(0);
        assertEquals("[fd00:231::1]:51820", toA.getEndpoint());
        assertNull(toA.getPersistentKeepaliveS(), "off");
        assertNull(toA.getLatestHandshakeMs());
    }

    @Test
    void anInterfaceWithoutPeersPortOrKeysIsKept() {
        WgDump.Parsed parsed = WgDump.parse(Fixtures.text("layouts/wg/dump-hand-written.txt"));

        assertEquals(List.of(), parsed.malformed());
        WireguardInterface empty = parsed.interfaces().get(0);
        assertEquals("wg-empty", empty.getName());
        assertNull(empty.getListenPort(), "listen-port 0 is none");
        assertEquals(List.of(), empty.getPeers());
        WireguardInterface noKey = parsed.interfaces().get(1);
        assertEquals("", noKey.getPublicKey(), "(none): no private key set, so no public key");
        assertEquals(51821, noKey.getListenPort());
        assertEquals(List.of(new WireguardPeer(C_PUBLIC, null, 0, null, 0L, 0L, null)), noKey.getPeers());
    }

    @Test
    void noPrivateOrPresharedKeyIsKeptAnywhere() {
        for (String fixture : List.of("dump-after-handshake.txt", "dump-before-handshake.txt",
                "dump-hand-written.txt", "dump-malformed.txt")) {
            String text = Fixtures.text("layouts/wg/" + fixture);
            assertTrue(SECRETS.stream().anyMatch(text::contains), fixture + " has a secret to drop");
            WgDump.Parsed parsed = WgDump.parse(text);
            String kept = parsed.interfaces() + " " + parsed.malformed();
            for (String secret : SECRETS) {
                assertFalse(kept.contains(secret), fixture + " kept a private or preshared key: " + kept);
            }
        }
    }

    @Test
    void malformedLinesAreSkippedAndCountedWithAReasonThatEchoesNoValueOfTheLine() {
        WgDump.Parsed parsed = WgDump.parse(Fixtures.text("layouts/wg/dump-malformed.txt"));

        assertEquals(1, parsed.interfaces().size());
        assertEquals(List.of(new WireguardPeer(C_PUBLIC, "[2001:db8::3]:51820", 2, 1_796_525_343_000L, 300L, 400L,
                null)), parsed.interfaces().get(0).getPeers(), "the one good peer of wg0 is kept");
        List<String> reasons = parsed.malformed();
        assertEquals(List.of("line 1", "line 2", "line 4", "line 5", "line 7"),
                reasons.stream().map(r -> r.substring(0, r.indexOf(':'))).toList(), reasons.toString());
        assertTrue(reasons.get(0).contains("3 tab-separated fields"), reasons.get(0));
        assertTrue(reasons.get(1).contains("no interface line"), reasons.get(1));
        assertTrue(reasons.get(2).contains("latest-handshake"), reasons.get(2));
        assertTrue(reasons.get(3).contains("transfer-rx"), reasons.get(3));
        for (String reason : reasons) {
            for (String key : List.of(A_PRIVATE, A_PUBLIC, B_PUBLIC, C_PUBLIC, PRESHARED, "192.0.2", "2001:db8")) {
                assertFalse(reason.contains(key), "a reason echoes the line: " + reason);
            }
        }
    }

    @Test
    void nothingOrAnErrorMessageIsNoInterface() {
        assertEquals(List.of(), WgDump.parse(null).interfaces());
        assertEquals(List.of(), WgDump.parse("").interfaces());
        WgDump.Parsed error = WgDump.parse("Unable to access interface wg0: Permission denied\n");
        assertEquals(List.of(), error.interfaces());
        assertEquals(1, error.malformed().size());
    }

    @Test
    void aPeerAfterAnotherInterfaceStillGoesToItsOwn() {
        String text = "wg0\t" + A_PRIVATE + "\t" + A_PUBLIC + "\t51820\toff\n"
                + "wg1\t" + B_PRIVATE + "\t" + B_PUBLIC + "\t51821\t0x10\n"
                + "wg0\t" + C_PUBLIC + "\t(none)\t192.0.2.3:51820\t(none)\t0\t1\t2\toff\n";
        WgDump.Parsed parsed = WgDump.parse(text);

        assertEquals(List.of(), parsed.malformed());
        assertEquals(1, parsed.interfaces().get(0).getPeers().size());
        assertEquals(List.of(), parsed.interfaces().get(1).getPeers());
    }

    @Test
    void mangledDumpsNeverThrowLoseNoLineAndNoReasonEchoesAKey() {
        String real = Fixtures.text("layouts/wg/dump-after-handshake.txt");
        Random random = new Random(20261206L);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder s = new StringBuilder(real);
            for (int k = 1 + random.nextInt(6); k > 0 && s.length() > 0; k--) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(4)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, "\t\n:,/[]0-".charAt(random.nextInt(9)));
                    case 2 -> s.setCharAt(at, (char) (32 + random.nextInt(95)));
                    default -> s.delete(at, Math.min(s.length(), at + random.nextInt(60)));
                }
            }
            WgDump.Parsed parsed = WgDump.parse(s.toString());
            int lines = (int) s.toString().lines().filter(l -> !l.isEmpty()).count();
            int peers = parsed.interfaces().stream().mapToInt(i -> i.getPeers().size()).sum();
            assertEquals(lines, parsed.interfaces().size() + peers + parsed.malformed().size(),
                    "every line is an interface, a peer or counted as malformed");
            for (String reason : parsed.malformed()) {
                for (String secret : SECRETS) {
                    // a reason says which field is wrong, never what the line held
                    assertFalse(reason.contains(secret.substring(0, 12)), "a reason echoes a key: " + reason);
                }
            }
        }
    }
}
