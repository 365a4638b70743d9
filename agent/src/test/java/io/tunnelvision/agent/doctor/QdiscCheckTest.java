package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QdiscCheckTest {

    private static Qdisc tbf(long bytes, long drops, long backlogBytes, long backlogPackets) {
        return new Qdisc("eth0", "tbf", "1:", null, bytes, bytes / 1000, drops, 0L, 0L, backlogBytes, backlogPackets);
    }

    private static HostReading reading(HostBuilder host, Qdisc... qdiscs) {
        HostReading r = host.build();
        return r.withQdisc(new QdiscSample(r.interrupts().getHeader(), new ArrayList<>(List.of(qdiscs)),
                new ArrayList<>()));
    }

    /** A VXLAN over eth0, eth0 shaped by a tbf; a tun at {@code tunTxQueueLen}. */
    private static HostBuilder host(int tunTxQueueLen) {
        return HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0")
                .iface("vx0", InterfaceKind.VXLAN, 1450, 1000, "0").change("vx0", i -> i.setUnderlay("eth0"))
                .iface("tun0", InterfaceKind.TUN, 1400, tunTxQueueLen, "0");
    }

    @Test
    void aDroppingShaperWithAStandingQueueUnderATunnelIsFoundAndExplained() {
        HostBuilder host = host(1000);
        HostReading first = reading(host, tbf(0, 0, 30_000, 30));
        // 5 s: 625,000 bytes sent (125,000 B/s), 10,000 dropped, 30 KB still queued: 240 ms of queue
        HostReading second = reading(host.later(5), tbf(625_000, 10_000, 30_000, 30));

        List<Finding> findings = HostBuilder.examine(new QdiscCheck(), first, second);

        assertEquals(2, findings.size(), findings.toString());
        assertTrue(findings.stream().allMatch(f -> f.subject().equals("eth0")), findings.toString());
        Finding drops = findings.stream().filter(f -> f.seen().contains("drops")).findFirst().orElseThrow();
        assertTrue(drops.seen().contains("2000.0 packets/s"), drops.seen());
        assertTrue(drops.seen().contains("its qdiscs: tbf 1: root"), drops.seen());
        Finding backlog = findings.stream().filter(f -> f.seen().contains("standing queue")).findFirst()
                .orElseThrow();
        assertTrue(backlog.seen().contains("240 ms"), backlog.seen());
        assertEquals("", backlog.fix(), "no change to a qdisc is proposed");
    }

    @Test
    void aTunAtTxqueuelenZeroIsCritical() {
        HostBuilder host = host(0);
        HostReading first = reading(host, tbf(0, 0, 0, 0));
        HostReading second = reading(host.later(5), tbf(1_000, 0, 0, 0));

        List<Finding> findings = HostBuilder.examine(new QdiscCheck(), first, second);

        assertEquals(1, findings.size(), findings.toString());
        assertEquals("tun0", findings.get(0).subject());
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertTrue(findings.get(0).seen().contains("txqueuelen 0"), findings.get(0).seen());
    }

    @Test
    void aQuietShaperAndATunWithAQueueAreHealthy() {
        HostBuilder host = host(1000);
        HostReading first = reading(host, tbf(0, 0, 0, 0));
        HostReading second = reading(host.later(5), tbf(100_000, 0, 0, 0));

        assertEquals(List.of(), HostBuilder.examine(new QdiscCheck(), first, second));
    }

    @Test
    void withoutQdiscSamplesOnlyTheTunRingIsJudged() {
        HostBuilder host = host(0);
        HostReading first = host.build();
        HostReading second = host.later(5).build();

        List<Finding> findings = HostBuilder.examine(new QdiscCheck(), first, second);

        assertEquals(List.of("tun0"), findings.stream().map(Finding::subject).toList(),
                "a tun's own ring is txqueuelen long whatever its qdisc");
    }
}
