package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reflector and the prober talking over the loopback interface, with real sockets. */
class ProbeLoopbackIT {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path sysRoot;

    @Test
    void theProberMeasuresEverySeriesThroughARealReflector() throws Exception {
        Path mtu = sysRoot.resolve("class/net/lo/mtu");
        Files.createDirectories(mtu.getParent());
        Files.writeString(mtu, "1500\n");
        try (ProbeReflector reflector = ProbeReflector.start(new InetSocketAddress(LOOPBACK, 0), 1000,
                Set.of(LOOPBACK))) {
            // overlay answered by the reflector; the underlay address 127.0.0.2 has the same reflector's port
            // closed on another address, so it is the lossy path
            ProbeSettings settings = new ProbeSettings(List.of(new ProbePeer("peer", "lo", LOOPBACK,
                    InetAddress.getByName("127.0.0.2"))), List.of(new ProbeSize(64), ProbeSize.TUNNEL_MTU), 20,
                    Duration.ofSeconds(1), reflector.port(), 1000);
            LinkedBlockingQueue<LatencySample> samples = new LinkedBlockingQueue<>();
            try (Prober prober = new Prober(settings, sysRoot, new HostIdentity("gw-a", "boot", "dev"),
                    samples::add, Clock.systemUTC()).start()) {
                LatencySample first = samples.poll(10, TimeUnit.SECONDS);
                LatencySample second = samples.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "no latency sample within 10 s");
                assertNotNull(second, "no second latency sample within 10 s");
                assertTrue(second.getHeader().getSequence() > first.getHeader().getSequence());

                List<ProbeStats> probes = second.getPeers().get(0).getProbes();
                assertEquals(4, probes.size());
                for (ProbeStats p : probes) {
                    assertTrue(p.getSent() >= 10, "20/s over 1 s sends about 20, was " + p);
                    if (p.getPath() == ProbePath.OVERLAY) {
                        assertEquals(0.0, p.getLossRatio(), "loopback loses nothing: " + p);
                        assertTrue(p.getRttMinUs() > 0 && p.getRttMinUs() <= p.getRttAvgUs()
                                && p.getRttAvgUs() <= p.getRttMaxUs(), p.toString());
                    } else {
                        assertEquals(1.0, p.getLossRatio(), "nothing answers on 127.0.0.2: " + p);
                    }
                }
                assertEquals(List.of(64, 1472, 64, 1472), probes.stream().map(ProbeStats::getSizeBytes).toList());
            }
            assertTrue(reflector.answered() > 0);
        }
    }

    @Test
    void theReflectorIgnoresStrangersAndKeepsToItsLimit() throws Exception {
        InetAddress stranger = InetAddress.getByName("127.0.0.3");
        try (ProbeReflector reflector = ProbeReflector.start(new InetSocketAddress(LOOPBACK, 0), 5,
                Set.of(LOOPBACK, InetAddress.getByName("127.0.0.2")));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket outsider = new DatagramSocket(new InetSocketAddress(stranger, 0))) {
            client.setSoTimeout(300);
            outsider.setSoTimeout(300);
            InetSocketAddress target = new InetSocketAddress(LOOPBACK, reflector.port());
            ByteBuffer fromOutside = ProbePacket.request(ByteBuffer.allocate(64), 64, 99, 1);
            outsider.send(new DatagramPacket(fromOutside.array(), 64, target));
            assertTrue(receive(outsider) < 0, "a well-formed probe from an address that is no peer's gets no answer");
            assertEquals(1, reflector.strangers());

            client.send(new DatagramPacket(new byte[100], 100, target));
            assertTrue(receive(client) < 0, "a datagram that is not a probe gets no answer");

            ByteBuffer reply = ProbePacket.request(ByteBuffer.allocate(100), 100, 1, 1);
            ProbePacket.toReply(reply);
            client.send(new DatagramPacket(reply.array(), 100, target));
            assertTrue(receive(client) < 0, "a reply is never answered (no ping-pong between reflectors)");

            int answered = 0;
            for (int i = 0; i < 20; i++) {
                ByteBuffer request = ProbePacket.request(ByteBuffer.allocate(200), 200, i, 1);
                client.send(new DatagramPacket(request.array(), 200, target));
            }
            int size;
            while ((size = receive(client)) >= 0) {
                assertEquals(200, size, "a reply is exactly as big as its probe");
                answered++;
            }
            assertEquals(5, answered, "one second's burst at 5/s");
            assertEquals(5, reflector.answered());
            assertEquals(15, reflector.limited());
            assertEquals(2, reflector.ignored());
            assertEquals(1, reflector.strangers(), "the stranger's probe took no token either");
        }
    }

    @Test
    void aFloodFromOnePeersAddressNeverTakesAnotherPeersReplies() throws Exception {
        InetAddress flooded = InetAddress.getByName("127.0.0.2");
        int limit = 20;
        ReflectorCounts counts = new ReflectorCounts();
        try (ProbeReflector reflector = ProbeReflector.start(new InetSocketAddress(LOOPBACK, 0), limit,
                Set.of(LOOPBACK, flooded), counts);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket flooder = new DatagramSocket(new InetSocketAddress(flooded, 0))) {
            InetSocketAddress target = new InetSocketAddress(LOOPBACK, reflector.port());
            peer.setSoTimeout(1_000);
            // spoofed or not, a flood from one peer's address: some 50 times its budget, paced so that the
            // reflector's socket buffer does not overflow (that would be the kernel's drop, not the budget's)
            AtomicLong sent = new AtomicLong();
            AtomicBoolean flooding = new AtomicBoolean(true);
            Thread flood = new Thread(() -> {
                ByteBuffer probe = ProbePacket.request(ByteBuffer.allocate(64), 64, 1, 1);
                DatagramPacket packet = new DatagramPacket(probe.array(), 64, target);
                try {
                    while (flooding.get()) {
                        for (int i = 0; i < 10; i++) {
                            flooder.send(packet);
                            sent.incrementAndGet();
                        }
                        Thread.sleep(10);
                    }
                } catch (Exception e) {
                    if (flooding.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "flood");
            long floodStart = System.nanoTime();
            flood.start();
            Thread.sleep(1_500); // the flooded address's burst and more are spent

            int asked = 30;
            int answered = 0;
            for (int i = 0; i < asked; i++) {
                ByteBuffer request = ProbePacket.request(ByteBuffer.allocate(100), 100, i, 1);
                peer.send(new DatagramPacket(request.array(), 100, target));
                if (receive(peer) == 100) {
                    answered++;
                }
                Thread.sleep(100); // 10/s, half this peer's budget
            }
            flooding.set(false);
            flood.join(2_000);
            double floodSeconds = (System.nanoTime() - floodStart) / 1e9;

            assertEquals(asked, answered, "every probe of the other peer is answered during the flood");
            assertTrue(sent.get() > 50L * limit, "the flood sent " + sent.get());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (counts.answeredProbes() + counts.of(ReflectorCounts.Drop.OVER_BUDGET) < asked + sent.get()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50); // the last flood probes are still in the reflector's socket buffer
            }
            long floodAnswered = counts.answeredProbes() - asked;
            assertTrue(floodAnswered <= limit * (floodSeconds + 1), "the flooded address got its budget (a burst of "
                    + limit + ", then " + limit + "/s) and no more: " + floodAnswered);
            Map<String, Long> overBudget = counts.overBudgetByPeer();
            assertEquals(sent.get() - floodAnswered, overBudget.get("127.0.0.2"), "every other flood probe was "
                    + "dropped over budget and counted against its address");
            assertEquals(0L, overBudget.get("127.0.0.1"), "the other peer never ran over its own budget");
            assertEquals(overBudget.get("127.0.0.2"), counts.of(ReflectorCounts.Drop.OVER_BUDGET));
        }
    }

    private static int receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[70_000], 70_000);
        try {
            socket.receive(packet);
            return packet.getLength();
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }
}
