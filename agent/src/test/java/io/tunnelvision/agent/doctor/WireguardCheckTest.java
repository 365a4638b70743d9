package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.WireguardCollector;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules' TUNNEL_DOWN in the doctor, over WireguardSample records as the agent's collector makes them. */
class WireguardCheckTest {

    private static final String PEER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    private static final long T0_MS = HostBuilder.T0.toEpochMilli();

    private static WireguardSample wg(long timeMs, WireguardPeer... peers) {
        return new WireguardSample(new SampleHeader("gw-test", "boot", 0L, timeMs, "test"), List.of(
                new WireguardInterface("wg0", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", 51820, List.of(peers))));
    }

    private static WireguardPeer peer(Long handshakeMs, long rx, long tx, Integer keepalive) {
        return new WireguardPeer(PEER, "198.51.100.7:51820", 1, handshakeMs, rx, tx, keepalive);
    }

    /** Two readings 5 s apart (the doctor's default) with these WireGuard peers. */
    private static List<Finding> run(WireguardPeer before, WireguardPeer after) {
        HostBuilder host = HostBuilder.cpus(2);
        HostReading first = host.build().withWireguard(wg(T0_MS, before));
        HostReading second = host.later(5).build().withWireguard(wg(T0_MS + 5_000, after));
        return HostBuilder.examine(new WireguardCheck(), first, second);
    }

    @Test
    void aPeerWhoseHandshakeIsOlderThanRejectAfterTimeWhileInitiationsGoOutIsDown() {
        long handshake = T0_MS + 5_000 - 181_000;
        List<Finding> findings = run(peer(handshake, 9_000, 20_000, null), peer(handshake, 9_000, 20_148, null));

        assertEquals(1, findings.size(), findings.toString());
        Finding f = findings.get(0);
        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals("wg0 peer TrMvSoP4...", f.subject());
        assertTrue(f.seen().contains("endpoint 198.51.100.7:51820"), f.seen());
        assertTrue(f.seen().contains(PEER), f.seen());
        assertTrue(f.seen().contains("latest handshake 181 s ago"), f.seen());
        assertTrue(f.seen().contains("sent 29.6 B/s and received 0.0 B/s over 5.0 s"), f.seen());
        assertTrue(f.why().contains("REJECT_AFTER_TIME"), f.why());
        assertTrue(f.why().contains("wg show"), f.why());
        assertTrue(f.why().contains("UDP"), f.why());
        assertEquals("", f.fix(), "no setting of the host fixes a tunnel whose peer does not answer");
    }

    @Test
    void aKeepalivePeerThatNeverHandshakenIsDownAfterACounterReset() {
        List<Finding> findings = run(peer(null, 0, 1_480, 25), peer(null, 0, 148, 25));

        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).seen().contains("no handshake ever completed"), findings.get(0).seen());
        assertTrue(findings.get(0).seen().contains("transfer unknown"), findings.get(0).seen());
        assertTrue(findings.get(0).seen().contains("persistent keepalive every 25 s"), findings.get(0).seen());
    }

    @Test
    void anIdlePeerAndAFreshOneAreHealthy() {
        assertEquals(List.of(), run(peer(T0_MS - 30_000, 9_000, 20_000, null), peer(T0_MS - 30_000, 9_500, 20_600,
                null)));
        assertEquals(List.of(), run(peer(T0_MS - 900_000, 9_000, 20_000, null), peer(T0_MS - 900_000, 9_000, 20_000,
                null)));
    }

    @Test
    void withoutWireguardSamplesTheCheckFindsNothing() {
        HostBuilder host = HostBuilder.cpus(2);
        HostReading first = host.build();
        assertNull(first.wireguard());
        assertEquals(List.of(), HostBuilder.examine(new WireguardCheck(), first, host.later(5).build()));
    }

    @Test
    void theReaderTakesTheSampleFromTheWireguardCollectorAndGoesOnWithoutOne() throws URISyntaxException {
        Path tree = Path.of(WireguardCheckTest.class.getResource("/doctor/healthy-gateway/before").toURI());
        CollectorRegistry standard = CollectorRegistry.standard(tree.resolve("proc"), tree.resolve("sys"));
        HostReading reading = new HostReader(standard, new HostFactsReader(tree.resolve("proc"), tree.resolve("sys")),
                Clock.systemUTC()).read(HostBuilder.T0);
        assertNotNull(reading.wireguard(), "the standard registry has the WireGuard collector");
        assertEquals(HostBuilder.T0.toEpochMilli(), reading.wireguard().getHeader().getSampleTimeMs(),
                "with the reading's header, like the other samples");
        assertEquals(List.of(), reading.wireguard().getInterfaces(), "a tree that is not /proc runs no wg");

        CollectorRegistry without = standard.without(List.of(WireguardCollector.NAME));
        assertNull(new HostReader(without, new HostFactsReader(tree.resolve("proc"), tree.resolve("sys")),
                Clock.systemUTC()).read(HostBuilder.T0).wireguard(), "no WireGuard collector: no sample");
    }
}
